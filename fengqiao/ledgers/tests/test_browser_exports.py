"""In a real browser on the small demo county: the leader exports the case ledger, which is too
large to write while they wait, and watches 我的导出 turn from 排队中 to 生成中 to its download
link without reloading the page (its script asks the server every few seconds); the worker's
steps are driven by the test."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.ledgers import services
from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport

pytestmark = pytest.mark.browser


def test_my_exports_turns_into_a_download_link_by_itself(
    page: Any, live_server: Any, demo_small: None, settings: Any, monkeypatch: Any
) -> None:
    # Every list is handed to the queue, and the queue's worker does nothing until the test
    # drives it
    settings.FENGQIAO_LEDGER_STREAM_MAX = 0
    handed: list[int] = []
    monkeypatch.setattr(
        services, "enqueue_or_run", lambda _task, export_id: handed.append(export_id)
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The leader exports the case ledger from 工作台帐 and lands on 我的导出
    page.goto(f"{base}/ledgers/")
    page.locator('#ledger-kinds tr[data-ledger="cases"]').get_by_role(
        "link", name="导出台账"
    ).click()
    page.wait_for_url(f"{base}/ledgers/")
    assert "已转入后台生成" in page.content()
    export = LedgerExport.objects.get(user__username="leader")
    assert handed == [export.pk]
    row = page.locator(f'#exports tr[data-export="{export.pk}"]')
    assert "排队中" in row.inner_text()
    assert page.locator("#exports-refresh").is_visible()  # 刷新, for a browser without script
    page.evaluate("window.fqNotReloaded = true")

    # The worker takes it: the row says 生成中 by itself
    assert services.ledger_export_claim(export_id=export.pk) is not None
    page.locator(f'#exports tr[data-export="{export.pk}"]', has_text="生成中").wait_for()
    # The worker writes it: the row offers the file, still without a reload
    done = services.ledger_export_write(export=export)
    assert done.status == ExportStatus.DONE
    link = page.locator(
        f'#exports tr[data-export="{export.pk}"] a[href="/ledgers/exports/{export.pk}/"]'
    )
    link.wait_for(timeout=15000)
    assert page.evaluate("window.fqNotReloaded") is True
    assert "可下载" in row.inner_text()
    # Nothing is pending: the page stops asking and the 刷新 link goes
    assert page.locator("#exports-refresh").count() == 0
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
