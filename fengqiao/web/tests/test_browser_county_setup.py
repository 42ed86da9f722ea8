"""End-to-end: a real county's first hour on an empty platform (no demo), as docs/install.md
tells it. On the server: regions imported, the first accounts and the county platform made by
``create_admin_accounts``. In the browser: the org admin creates one township's 平安办, 法庭,
派出所, 司法所 and a village committee, imports five mediators from XLSX; the system admin creates
a dispatcher and a grid worker and the security admin grants their roles; the grid worker's first
report reaches the township's 平安办, whose dispatcher finds it waiting.

Each step leaves a screenshot in test-artifacts/ (county-setup-NN-*.png).
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from stdnum.cn import ric

from fengqiao.disputes.models import Case
from fengqiao.orgs.imports import ROSTER_COLUMNS
from fengqiao.orgs.models import Membership, Organization
from fengqiao.web.tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

REGIONS = Path(__file__).resolve().parents[2] / "regions" / "tests" / "data"
NEW_PASSWORD = "Qingshan#2027"
TOWNSHIP = "990102002000"  # 青山镇
VILLAGE = "990102002201"  # 上塘村村民委员会


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"county-setup-{name}.png"), full_page=True)


def first_login(page: Any, base: str, username: str, password: str) -> None:
    """Log in with the initial password; the platform asks for a new one before anything."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/password/")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(f"{base}/")


def new_org(page: Any, base: str, name: str, kind: str, region: str, parent: str = "") -> None:
    page.goto(f"{base}/orgs/new/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", label=kind)
    page.select_option("#id_region", label=region)
    if parent:
        page.select_option("#id_parent", label=parent)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert f"单位“{name}”已建立" in page.locator("main").inner_text()


def roster_file(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["调解员名册导入模板"])
    sheet.append(
        [f"{c}*" if c in {"身份证号", "姓名", "任职单位", "角色"} else c for c in ROSTER_COLUMNS]
    )
    names = ["陈一", "林二", "黄三", "吴四", "郑五"]
    for i, name in enumerate(names):
        body = f"99010219{65 + i}0302{i:02d}{3 + i % 2}"
        values = {
            "身份证号": body + ric.calc_check_digit(body + "0"),
            "姓名": name,
            "手机号": f"1371234560{i}",
            "任职单位": "上塘村人民调解委员会",
            "角色": "人民调解员",
            "职务": "主任" if i == 0 else "委员",
            "专职": "是" if i == 0 else "否",
            "擅长领域": "邻里、山林土地",
        }
        sheet.append([values.get(c) for c in ROSTER_COLUMNS])
    path = tmp_path / "上塘村调解员.xlsx"
    book.save(path)
    return path


def test_a_real_countys_first_hour(page: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server.url
    assert not Organization.objects.exists()

    # 0. On the server: the region tree, then the first accounts and the county platform.
    for name in ("sample_regions.csv", "sample_grids.csv"):
        call_command("import_regions", str(REGIONS / name), stdout=StringIO())
    out = StringIO()
    call_command("create_admin_accounts", "--region", "990102000000", stdout=out)
    passwords = {
        line.split("\t")[0]: line.split("\t")[2]
        for line in out.getvalue().splitlines()
        if line.count("\t") == 2 and not line.startswith("用户名")
    }
    assert set(passwords) == {"sysadmin", "secadmin", "auditor", "orgadmin"}
    assert Organization.objects.get().name == "示例区综治中心"

    # 1. The org admin sets up 青山镇.
    first_login(page, base, "orgadmin", passwords["orgadmin"])
    page.goto(f"{base}/orgs/")
    shot(page, "01-org-list")
    new_org(
        page,
        base,
        "青山镇平安办",
        "综治中心/平安办",
        f"青山镇（{TOWNSHIP}）",
        "示例区综治中心（示例区）",
    )
    new_org(page, base, "青山人民法庭", "人民法庭", f"青山镇（{TOWNSHIP}）")
    new_org(page, base, "青山派出所", "公安派出所", f"青山镇（{TOWNSHIP}）")
    # The county's 司法局 under the 综治中心, and the township's 司法所 under the 司法局: the
    # committee's chain of parents then leads to the county, not to the township's 平安办.
    new_org(
        page, base, "示例区司法局", "司法局", "示例区（990102000000）", "示例区综治中心（示例区）"
    )
    new_org(page, base, "青山镇司法所", "司法所", f"青山镇（{TOWNSHIP}）", "示例区司法局（示例区）")
    new_org(
        page,
        base,
        "上塘村人民调解委员会",
        "村（社区）人民调解委员会",
        f"上塘村村民委员会（{VILLAGE}）",
        "青山镇司法所（青山镇）",
    )
    shot(page, "02-committee")

    # 2. Five mediators from the roster template, filled in a spreadsheet.
    page.goto(f"{base}/orgs/import/")
    with page.expect_download() as download:
        page.click("#template-roster")
    assert download.value.suggested_filename == "roster-template.xlsx"
    form = page.locator("#import-roster")
    form.locator("input[type=file]").set_input_files(str(roster_file(tmp_path)))
    form.get_by_role("button", name="导入调解员名册").click()
    page.wait_for_load_state()
    assert "共 5 行，新增 5" in page.locator("#import-result").inner_text()
    shot(page, "03-roster-imported")
    committee = Organization.objects.get(name="上塘村人民调解委员会")
    assert Membership.objects.filter(org=committee, ended_on__isnull=True).count() == 5
    page.goto(f"{base}/orgs/reports/?report=composition")
    assert "上塘村人民调解委员会" in page.locator("main").inner_text()

    # 3. The system admin creates the dispatcher's and the grid worker's accounts…
    first_login(page, base, "sysadmin", passwords["sysadmin"])
    for username, real_name in (("qs_dispatcher", "青山镇调度员"), ("st_grid", "上塘村网格员")):
        page.goto(f"{base}/accounts/users/new/")
        page.fill("#id_username", username)
        page.fill("#id_real_name", real_name)
        page.fill("#id_password", "Initial#2026x")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert f"用户“{real_name}”已创建" in page.locator("main").inner_text()
    # …and the security admin grants their roles (三员分立).
    first_login(page, base, "secadmin", passwords["secadmin"])
    for username, role, org in (
        ("qs_dispatcher", "平安办调度员", "青山镇平安办"),
        ("st_grid", "网格员", "上塘村人民调解委员会"),
    ):
        page.goto(f"{base}/accounts/users/?q={username}")
        page.get_by_role("link", name=username, exact=True).click()
        page.wait_for_load_state()
        page.select_option("#id_role", label=role)
        page.select_option("#id_org", label=org)
        page.get_by_role("button", name="授予").click()
        page.wait_for_load_state()
        assert role in page.locator("main").inner_text()
    shot(page, "04-granted")

    # 4. The grid worker's first report, from a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    first_login(page, base, "st_grid", "Initial#2026x")
    page.goto(f"{base}/cases/report/")
    page.select_option("#id_category", "neighbour")
    page.fill("#id_title", "上塘村两户因排水沟起争执")
    page.select_option("#id_region", label="上塘村村民委员会")
    page.fill("#id_applicant_name", "张三")
    page.fill("#id_applicant_phone", "13800001111")
    page.fill("#id_respondent_name", "李四")
    page.get_by_role("button", name="上报").click()
    page.wait_for_url(f"{base}/cases/report/*/")
    number = page.locator("#case-number").inner_text().strip()
    shot(page, "05-reported")
    case = Case.objects.get(number=number)
    # It reaches the township's 平安办 (DESIGN §2: the platform of the lowest region with one),
    # numbered by the township — not the county's 综治中心 at the top of the committee's parents.
    assert case.platform.name == "青山镇平安办", case.platform.name
    assert number.startswith(TOWNSHIP)

    # 5. …where the township dispatcher finds it waiting to be assessed.
    page.set_viewport_size({"width": 1280, "height": 900})
    first_login(page, base, "qs_dispatcher", "Initial#2026x")
    page.goto(f"{base}/cases/my/")
    assert number in page.locator("#to-assess").inner_text()
    shot(page, "06-dispatcher")
