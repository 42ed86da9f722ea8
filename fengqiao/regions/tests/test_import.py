from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.regions.selectors import region_ancestors, region_descendants, subtree_q
from fengqiao.regions.tests.factories import make_region

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample_regions.csv"
GRIDS = DATA / "sample_grids.csv"


def _import(path: Path) -> str:
    out = StringIO()
    call_command("import_regions", str(path), stdout=out)
    return out.getvalue()


def _import_fails(path: Path) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("import_regions", str(path), stdout=StringIO())
    return str(excinfo.value)


def _write(tmp_path: Path, text: str, name: str = "regions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _codes(regions: object) -> set[str]:
    return {r.code for r in regions}  # type: ignore[attr-defined]


def _assert_paths_consistent() -> None:
    for region in Region.objects.select_related("parent"):
        expected = (region.parent.path if region.parent else "") + region.code.ljust(15, "0")
        assert region.path == expected, region.code


# --- import -----------------------------------------------------------------------------------


def test_import_sample_builds_the_tree(db: None) -> None:
    # when the sample in the national statistics format is imported
    output = _import(SAMPLE)

    # then every row is created at its level under the parent its code implies
    assert "新增 10 条，更新 0 条，未变 0 条" in output
    levels = dict(Region.objects.values_list("code", "level"))
    assert levels["990000000000"] == RegionLevel.PROVINCE
    assert levels["990100000000"] == RegionLevel.CITY
    assert levels["990102000000"] == RegionLevel.COUNTY
    assert levels["990102002000"] == RegionLevel.TOWNSHIP
    assert levels["990102002201"] == RegionLevel.VILLAGE
    village = Region.objects.get(code="990102002201")
    assert village.name == "上塘村村民委员会"
    assert village.parent is not None
    assert village.parent.code == "990102002000"
    _assert_paths_consistent()


def test_import_grids_with_population(db: None) -> None:
    # given the sample tree
    _import(SAMPLE)

    # when a file of 15-digit grid codes with a population column is imported
    output = _import(GRIDS)

    # then the grids hang under their villages with their population
    assert "新增 3 条" in output
    grid = Region.objects.get(code="990102001001002")
    assert grid.level == RegionLevel.GRID
    assert grid.population == 984
    assert grid.parent is not None
    assert grid.parent.code == "990102001001"
    _assert_paths_consistent()


def test_reimport_is_idempotent(db: None) -> None:
    # given the sample imported once
    _import(SAMPLE)
    _import(GRIDS)
    before = list(Region.objects.values_list("code", "name", "path", "parent_id", "population"))
    events = AuditEvent.objects.count()

    # when both files are imported again
    output = _import(SAMPLE)
    grid_output = _import(GRIDS)

    # then nothing changed, nothing was audited, and the messages say so
    assert "新增 0 条，更新 0 条，未变 10 条" in output
    assert "新增 0 条，更新 0 条，未变 3 条" in grid_output
    after = list(Region.objects.values_list("code", "name", "path", "parent_id", "population"))
    assert after == before
    assert AuditEvent.objects.count() == events


def test_import_is_audited(db: None) -> None:
    _import(SAMPLE)
    event = AuditEvent.objects.get(event_type=EventType.REGIONS_IMPORTED)
    assert event.object_repr == "sample_regions.csv"
    assert event.after == {"created": 10, "updated": 0, "unchanged": 0}


def test_reimport_renames(tmp_path: Path, db: None) -> None:
    # given the sample imported
    _import(SAMPLE)

    # when a file renames one village and changes nothing else
    renamed = SAMPLE.read_text(encoding="utf-8").replace("上塘村村民委员会", "上塘社区居民委员会")
    output = _import(_write(tmp_path, renamed))

    # then that village is renamed in place
    assert "新增 0 条，更新 1 条，未变 9 条" in output
    village = Region.objects.get(code="990102002201")
    assert village.name == "上塘社区居民委员会"
    assert Region.objects.count() == 10


def test_bad_file_is_rejected_whole(tmp_path: Path, db: None) -> None:
    # given an existing tree
    _import(SAMPLE)
    before = list(Region.objects.values_list("code", "name", "population"))

    # and a file with a bad code (line 4), a row whose parent exists nowhere (line 6), a
    # duplicate (line 7) and a population that is not a number (line 8); line 5 is good
    bad = _write(
        tmp_path,
        "统计用区划代码,名称,城乡分类代码,人口\n"
        "990000000000,示例省（改名）,,\n"
        "990100000000,示例市,,\n"
        "99010X000000,坏代码,,\n"
        "990102003000,新镇,,\n"
        "990102004001,孤村,220,\n"
        "990100000000,重复的市,,\n"
        "990102001000,和平街道,,很多\n",
    )

    # when it is imported
    message = _import_fails(bad)

    # then every bad line is named, in order, and nothing at all was written
    for line in (4, 6, 7, 8):
        assert f"第{line}行" in message
    assert "第5行" not in message
    assert "第2行" not in message
    assert message.index("第4行") < message.index("第6行") < message.index("第7行")
    assert "与第3行重复" in message
    assert "990102004000" in message
    assert list(Region.objects.values_list("code", "name", "population")) == before


def test_bad_file_on_empty_database_writes_nothing(tmp_path: Path, db: None) -> None:
    bad = _write(tmp_path, "区划代码,名称\n990000000000,示例省\n990101000000,缺市的区\n")
    assert "第3行" in _import_fails(bad)
    assert Region.objects.count() == 0


def test_line_numbers_count_physical_lines(tmp_path: Path, db: None) -> None:
    # given a quoted name that spans two lines, followed by a bad code on line 4
    bad = _write(tmp_path, '区划代码,名称\n990000000000,"示例\n省"\n123,坏\n')

    # then the error names line 4, where the bad row is in the file
    message = _import_fails(bad)
    assert "第4行" in message
    assert "第3行" not in message


def test_missing_header_column_is_reported(tmp_path: Path, db: None) -> None:
    bad = _write(tmp_path, "代号,名字\n990000000000,示例省\n")
    assert "表头缺少" in _import_fails(bad)


def test_parent_below_the_row_is_rejected(tmp_path: Path, db: None) -> None:
    # given a parent column that puts a city under a county
    bad = _write(
        tmp_path,
        "区划代码,名称,上级代码\n"
        "990000000000,示例省,\n"
        "990100000000,示例市,990102000000\n"
        "990102000000,示例区,\n",
    )

    # then the import is refused rather than the city being saved without a parent
    message = _import_fails(bad)
    assert "第3行" in message
    assert "层级不高于本级" in message
    assert Region.objects.count() == 0


def test_headerless_file(tmp_path: Path, db: None) -> None:
    path = _write(tmp_path, "990000000000,示例省\n990100000000,示例市\n")
    assert "新增 2 条" in _import(path)


def test_utf8_bom_is_accepted(tmp_path: Path, db: None) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("统计用区划代码,名称\n990000000000,示例省\n", encoding="utf-8-sig")
    assert "新增 1 条" in _import(path)


def test_unreadable_file(tmp_path: Path, db: None) -> None:
    assert "无法读取文件" in _import_fails(tmp_path / "missing.csv")


HEADER = "区划代码,名称,上级代码\n"
TOP = "990000000000,示例省,\n990100000000,甲市,\n990200000000,乙市,\n"
TOWN_AND_VILLAGE = "990102001000,和平街道,\n990102001001,东门社区,\n"


@pytest.fixture
def county_under_city_a(tmp_path: Path, db: None) -> None:
    """A county placed under city 甲 by a parent column, with a township and a village."""
    first = HEADER + TOP + "990102000000,示例区,990100000000\n" + TOWN_AND_VILLAGE
    _import(_write(tmp_path, first, "first.csv"))


def test_moving_a_subtree_counts_only_the_moved_row(
    tmp_path: Path, county_under_city_a: None
) -> None:
    # when a second file moves the county under city 乙, listing its township and village too
    second = HEADER + TOP + "990102000000,示例区,990200000000\n" + TOWN_AND_VILLAGE
    output = _import(_write(tmp_path, second, "second.csv"))

    # then the whole subtree moved and only the county is reported as changed
    assert "新增 0 条，更新 1 条，未变 5 条" in output
    _assert_paths_consistent()
    city_b = Region.objects.get(code="990200000000")
    assert _codes(region_descendants(city_b, include_self=False)) == {
        "990102000000",
        "990102001000",
        "990102001001",
    }


def test_new_row_under_a_moved_parent_not_in_the_file(
    tmp_path: Path, county_under_city_a: None
) -> None:
    # when a second file moves the county and adds a village under the (unlisted) township
    second = HEADER + TOP + "990102000000,示例区,990200000000\n990102001002,西门社区,\n"
    output = _import(_write(tmp_path, second, "second.csv"))

    # then the new village is created at the township's new place
    assert "新增 1 条，更新 1 条，未变 3 条" in output
    _assert_paths_consistent()
    city_b = Region.objects.get(code="990200000000")
    assert "990102001002" in _codes(region_descendants(city_b))


# --- selectors --------------------------------------------------------------------------------


@pytest.fixture
def tree(db: None) -> dict[str, Region]:
    """Siblings whose codes, cut at their trailing zeros, are prefixes of each other's:
    county 990120 (cut: 99012) beside county 990121, township 990120001 (cut: 990120001)
    beside township 990120010 (cut: 99012001)."""
    r: dict[str, Region] = {}
    r["province"] = make_region("990000000000", "示例省")
    r["city"] = make_region("990100000000", "示例市", r["province"])
    r["county"] = make_region("990120000000", "甲区", r["city"])
    r["county_sibling"] = make_region("990121000000", "乙区", r["city"])
    r["town"] = make_region("990120001000", "一街道", r["county"])
    r["town_sibling"] = make_region("990120010000", "十街道", r["county"])
    r["village"] = make_region("990120001001", "一村", r["town"])
    r["village_sibling"] = make_region("990120001010", "十村", r["town"])
    r["village_cousin"] = make_region("990120010001", "十街道一村", r["town_sibling"])
    r["grid"] = make_region("990120001001001", "一村一格", r["village"])
    r["other_village"] = make_region("990121001001", "乙区一村", r["county_sibling"])
    return r


def test_descendants_of_a_county(tree: dict[str, Region]) -> None:
    result = region_descendants(tree["county"])
    assert _codes(result) == {
        "990120000000",
        "990120001000",
        "990120010000",
        "990120001001",
        "990120001010",
        "990120010001",
        "990120001001001",
    }


def test_descendants_of_a_township_exclude_prefix_sharing_sibling(tree: dict[str, Region]) -> None:
    result = region_descendants(tree["town"], include_self=False)
    assert _codes(result) == {"990120001001", "990120001010", "990120001001001"}


def test_descendants_of_a_village_and_a_leaf(tree: dict[str, Region]) -> None:
    assert _codes(region_descendants(tree["village"])) == {"990120001001", "990120001001001"}
    assert _codes(region_descendants(tree["grid"], include_self=False)) == set()


def test_ancestors(tree: dict[str, Region]) -> None:
    assert [r.code for r in region_ancestors(tree["grid"])] == [
        "990000000000",
        "990100000000",
        "990120000000",
        "990120001000",
        "990120001001",
    ]
    assert [r.code for r in region_ancestors(tree["town_sibling"], include_self=True)] == [
        "990000000000",
        "990100000000",
        "990120000000",
        "990120010000",
    ]
    assert list(region_ancestors(tree["province"])) == []


def test_subtree_q_over_several_roots(tree: dict[str, Region]) -> None:
    # given two disjoint roots and one nested inside the first
    paths = [tree["town_sibling"].path, tree["county_sibling"].path, tree["village"].path]

    # then the union of their subtrees, each row once
    result = Region.objects.filter(subtree_q(paths))
    codes = [r.code for r in result]
    assert len(codes) == len(set(codes))
    assert set(codes) == {
        "990120010000",
        "990120010001",
        "990121000000",
        "990121001001",
        "990120001001",
        "990120001001001",
    }


def test_subtree_q_on_a_related_path(tree: dict[str, Region]) -> None:
    # the same filter through a relation (how other apps scope their rows to a region)
    result = Region.objects.filter(subtree_q([tree["town"].path], field="parent__path"))
    assert _codes(result) == {"990120001001", "990120001010", "990120001001001"}


def test_subtree_q_of_nothing_matches_nothing(tree: dict[str, Region]) -> None:
    assert not Region.objects.filter(subtree_q([])).exists()


def test_gb18030_file_with_encoding_option(tmp_path: Path, db: None) -> None:
    # given a file saved by older Excel in GB18030
    path = tmp_path / "gbk.csv"
    path.write_text("统计用区划代码,名称\n990000000000,示例省\n", encoding="gb18030")

    # when imported with --encoding, then the Chinese name survives
    call_command("import_regions", str(path), "--encoding", "gb18030", stdout=StringIO())
    assert Region.objects.get(code="990000000000").name == "示例省"
