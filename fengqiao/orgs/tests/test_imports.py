"""XLSX import of orgs and of the roster, with files built here as a user would fill the
downloaded template: bad rows reported by number in Chinese and nothing imported; a re-import
updates instead of duplicating."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import User
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core.tests import hostile
from fengqiao.orgs.choices import MediatorGrade, PersonRole, Position
from fengqiao.orgs.imports import ORG_COLUMNS, ROSTER_COLUMNS
from fengqiao.orgs.models import Membership, Organization, Person
from fengqiao.web.tests.html import page_text


def id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def town_admin(world: Any) -> User:
    user = UserFactory(username="orgadmin_a", real_name="甲镇组织管理员")
    grant(user, BuiltinRole.ORG_ADMIN, world.town_a_platform)
    return user


def workbook(columns: list[str], rows: list[dict[str, Any]], *, notes: int = 2) -> io.BytesIO:
    """A file as filled from the template: note lines, the header (required columns starred),
    then one row per dict. Row numbers of the data start at ``notes + 2``."""
    book = Workbook()
    sheet = book.active
    for i in range(notes):
        sheet.append([f"说明{i + 1}"])
    sheet.append([f"{c}*" if c in {"名称", "身份证号"} else c for c in columns])
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"  # type: ignore[attr-defined]
    return buffer


def reported(response: Any) -> str:
    """The error table as lines "第N行 reason"."""
    html = response.content.decode()
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", html, flags=re.S)
    return "\n".join(f"{unescape(n.strip())} {unescape(r.strip())}" for n, r in rows)


def post(client: Any, kind: str, upload: io.BytesIO) -> Any:
    return client.post("/orgs/import/", {"kind": kind, "file": upload})


TOWN_ORGS = [
    {
        "单位代码": "A-PAB",
        "名称": "甲镇平安办",
        "类型": "综治中心/平安办",
        "区划代码": "330199001000",
    },
    {
        "单位代码": "A-SFS",
        "名称": "甲镇司法所",
        "类型": "司法所",
        "区划代码": "330199001000",
        "上级单位": "A-PAB",
    },
    {"单位代码": "A-PCS", "名称": "甲镇派出所", "类型": "公安派出所", "区划代码": "330199001000"},
    {
        "单位代码": "E-TWH2",
        "名称": "东村第二调委会",
        "类型": "村（社区）人民调解委员会",
        "区划代码": "330199001001",
        "上级单位": "甲镇司法所",
        "受理纠纷类别": "邻里、婚姻家庭",
        "地址": "东村",
    },
]


def test_org_import_creates_then_updates_without_duplicating(
    world: Any, town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    before = Organization.objects.count()
    response = post(client, "orgs", workbook(ORG_COLUMNS, TOWN_ORGS))
    assert response.status_code == 200, page_text(response)
    # 甲镇平安办 and 甲镇司法所 already exist (same 区划 and name): they are given their codes
    # (and the 司法所 its 上级单位), not duplicated
    assert "共 4 行，新增 2，更新 2，未变 0" in page_text(response)
    assert Organization.objects.count() == before + 2
    assert Organization.objects.get(code="A-SFS") == world.justice_office_a
    committee = Organization.objects.get(code="E-TWH2")
    assert committee.parent == Organization.objects.get(code="A-SFS")
    assert committee.parent.parent == world.town_a_platform
    assert sorted(committee.categories.values_list("category", flat=True)) == [
        "marriage_family",
        "neighbour",
    ]
    assert world.town_a_platform.__class__.objects.get(pk=world.town_a_platform.pk).code == "A-PAB"
    assert (
        AuditEvent.objects.filter(event_type=EventType.ORG_CREATED, actor=town_admin).count() == 2
    )
    # Re-import with one change: the address
    changed = [dict(r) for r in TOWN_ORGS]
    changed[3]["地址"] = "东村村委会二楼"
    response = post(client, "orgs", workbook(ORG_COLUMNS, changed))
    assert "共 4 行，新增 0，更新 1，未变 3" in page_text(response)
    assert Organization.objects.count() == before + 2
    committee.refresh_from_db()
    assert committee.address == "东村村委会二楼"


def test_bad_org_rows_are_listed_by_number_and_nothing_is_imported(
    world: Any, town_admin: User, client_for: Any
) -> None:
    before = Organization.objects.count()
    rows = [
        TOWN_ORGS[2],
        {"名称": "无类型", "区划代码": "330199001000"},
        {"名称": "乙镇某单位", "类型": "司法所", "区划代码": "330199002000"},
        {"名称": "怪类型", "类型": "居委会", "区划代码": "330199001000"},
        {"名称": "不存在的区划", "类型": "司法所", "区划代码": "330199009000"},
        {"单位代码": "A-PCS", "名称": "重复代码", "类型": "司法所", "区划代码": "330199001000"},
        {"名称": "公式", "类型": "司法所", "区划代码": "330199001000", "地址": "=1+1"},
    ]
    response = post(client_for(town_admin), "orgs", workbook(ORG_COLUMNS, rows))
    assert response.status_code == 400
    assert "单位文件有 6 处错误，未导入任何数据" in page_text(response)
    text = reported(response)
    assert "第5行 “类型”必填" in text
    assert "第6行 您无权管理“乙镇”的单位和人员" in text
    assert "第7行 “类型”的值“居委会”无效" in text
    assert "第8行 “区划代码”330199009000不存在，请先导入行政区划" in text
    assert "第9行 单位代码与第4行重复" in text
    assert "第10行 “地址”是公式，请改为直接填写的值" in text
    # The good first row was not imported either
    assert Organization.objects.count() == before


def test_an_unknown_parent_rolls_back_the_whole_file(
    world: Any, town_admin: User, client_for: Any
) -> None:
    before = Organization.objects.count()
    rows = [TOWN_ORGS[1], {**TOWN_ORGS[2], "上级单位": "不存在的上级"}]
    response = post(client_for(town_admin), "orgs", workbook(ORG_COLUMNS, rows))
    assert response.status_code == 400
    assert "第5行 上级单位“不存在的上级”未找到" in reported(response)
    assert Organization.objects.count() == before


def _mediators() -> list[dict[str, Any]]:
    return [
        {
            "身份证号": id_number(f"33019919{70 + i}0101{i:02d}1"),
            "姓名": name,
            "手机号": f"1391234567{i}",
            "背景": "退休政法干警" if i == 0 else "",
            "党员": "是" if i % 2 == 0 else "否",
            "任职单位": "东村人民调解委员会",
            "角色": "人民调解员",
            "职务": "委员",
            "专职": "是" if i < 2 else "否",
            "任职日期": "2025-03-01",
            "等级": "中级人民调解员" if i == 0 else "",
            "星级": 3 if i == 0 else None,
            "擅长领域": "邻里、婚姻家庭" if i == 0 else "",
            "个人调解工作室": "老赵调解室" if i == 0 else "",
        }
        for i, name in enumerate(["赵一", "钱二", "孙三", "李四", "周五"])
    ]


def test_roster_import_then_reimport_updates(world: Any, town_admin: User, client_for: Any) -> None:
    client = client_for(town_admin)
    rows = _mediators()
    response = post(client, "roster", workbook(ROSTER_COLUMNS, rows))
    assert response.status_code == 200, page_text(response)
    assert "共 5 行，新增 5，更新 0，未变 0" in page_text(response)
    zhao = Person.objects.get(name="赵一")
    assert zhao.id_number == rows[0]["身份证号"]
    assert zhao.gender == "M"  # from the ID number
    assert zhao.birth_year == 1970
    assert zhao.region == world.village_east
    assert zhao.is_party_member
    profile = zhao.mediator_profile
    assert (profile.grade, profile.stars, profile.studio_name) == (
        MediatorGrade.INTERMEDIATE,
        3,
        "老赵调解室",
    )
    membership = Membership.objects.get(person=zhao)
    assert (membership.org, membership.role, membership.is_full_time) == (
        world.committee_east,
        PersonRole.MEDIATOR,
        True,
    )
    assert str(membership.started_on) == "2025-03-01"
    # The roster page and the composition report show them at once
    assert "周五" in page_text(client.get("/orgs/roster/"))
    # Re-import: 钱二 becomes 副主任, 孙三 changes phone; nothing is duplicated
    rows[1]["职务"] = "副主任"
    rows[2]["手机号"] = "13800000000"
    response = post(client, "roster", workbook(ROSTER_COLUMNS, rows))
    assert "共 5 行，新增 0，更新 2，未变 3" in page_text(response)
    assert Person.objects.filter(name__in=[r["姓名"] for r in rows]).count() == 5
    assert Membership.objects.filter(org=world.committee_east).count() == 6
    assert Membership.objects.get(person__name="钱二").position == Position.DEPUTY
    assert Person.objects.get(name="孙三").phone == "13800000000"


def test_bad_roster_rows_are_listed_and_nothing_is_imported(
    world: Any, town_admin: User, client_for: Any
) -> None:
    rows = _mediators()[:2]
    rows += [
        {**_mediators()[2], "身份证号": "330199197201010221"},
        {**_mediators()[3], "任职单位": "南村人民调解委员会"},
        {**_mediators()[4], "角色": "调解大师", "手机号": "123"},
        {**_mediators()[0], "姓名": "赵一重复"},
        {"姓名": "无证件", "任职单位": "东村人民调解委员会", "角色": "人民调解员"},
        {
            **_mediators()[4],
            "身份证号": id_number("33019919990101991"),
            "任职日期": "2999-01-01",
            "星级": 7,
            "党员": "也许",
        },
    ]
    response = post(client_for(town_admin), "roster", workbook(ROSTER_COLUMNS, rows))
    assert response.status_code == 400
    text = reported(response)
    assert "第6行 身份证号：身份证号校验位不正确，请核对" in text
    assert "第7行 您无权管理“南村人民调解委员会”的人员" in text
    assert "第8行 手机号：请输入11位手机号码" in text
    assert "第8行 “角色”的值“调解大师”无效" in text
    assert "第9行 与第4行重复（同一人同一单位同一角色）" in text
    assert "第10行 “身份证号”必填" in text
    assert "第11行 “党员”应填“是”或“否”" in text
    assert "第11行 “星级”应为0至5的整数" in text
    assert "第11行 任职日期：日期不能晚于今天" in text
    assert not Person.objects.filter(name__in=["赵一", "钱二"]).exists()


def test_templates_download_with_the_header_the_import_reads(
    town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    for kind, columns in (("orgs", ORG_COLUMNS), ("roster", ROSTER_COLUMNS)):
        response = client.get(f"/orgs/import/{kind}-template.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[sheet.max_row]]
        assert [h.rstrip("*") for h in header] == columns
        assert "名称*" in header or "身份证号*" in header


@pytest.mark.parametrize("holder", ["system_admin", "dispatcher", "leader"])
def test_only_the_org_admin_imports(holder: str, cast: Any, client_for: Any) -> None:
    client = client_for(getattr(cast, holder))
    assert client.get("/orgs/import/").status_code == 403
    assert client.get("/orgs/import/orgs-template.xlsx").status_code == 403
    assert post(client, "orgs", workbook(ORG_COLUMNS, TOWN_ORGS)).status_code == 403


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(
    town_admin: User, client_for: Any
) -> None:
    upload = io.BytesIO(b"name,code\n")
    upload.name = "orgs.xlsx"  # type: ignore[attr-defined]
    response = post(client_for(town_admin), "orgs", upload)
    assert response.status_code == 400
    assert "无法读取该文件" in page_text(response)


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (hostile.xlsx_bomb, "工作簿解压后过大"),
        (hostile.xlsx_with_macro, "工作簿含有宏（VBA）"),
    ],
)
def test_a_zip_bomb_or_a_macro_workbook_is_refused_unopened(
    town_admin: User, client_for: Any, build: Any, says: str
) -> None:
    upload = io.BytesIO(build())
    upload.name = "orgs.xlsx"  # type: ignore[attr-defined]
    count = Organization.objects.count()
    response = post(client_for(town_admin), "orgs", upload)
    assert response.status_code == 400
    assert says in page_text(response)
    assert Organization.objects.count() == count


def test_the_command_imports_all_or_nothing(world: Any, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    good = tmp_path / "orgs.xlsx"
    good.write_bytes(workbook(ORG_COLUMNS, TOWN_ORGS).getvalue())
    out = io.StringIO()
    call_command("import_org_data", "orgs", str(good), stdout=out)
    assert "共 4 行，新增 2，更新 2，未变 0" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(ORG_COLUMNS, [{"名称": "无类型", "区划代码": "330199001000"}]).getvalue()
    )
    with pytest.raises(CommandError, match="第4行：“类型”必填"):
        call_command("import_org_data", "orgs", str(bad))
    template = tmp_path / "roster-template.xlsx"
    call_command("import_org_data", "roster", str(template), "--template", stdout=io.StringIO())
    header = [c.value for c in load_workbook(template).active[5]]
    assert header[0] == "身份证号*"
