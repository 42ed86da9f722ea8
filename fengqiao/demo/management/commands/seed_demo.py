from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fengqiao.demo.alarms import demo_alarms_seed
from fengqiao.demo.assessment import demo_assessment_seed
from fengqiao.demo.cases import demo_cases_seed
from fengqiao.demo.cases_data import FORCED_CASES_ONLY, FULL_CASES
from fengqiao.demo.confirmations import demo_confirmations_seed
from fengqiao.demo.data import (
    COUNTY_CODE,
    COUNTY_NAME,
    DEFAULT_SEED,
    FULL_COUNTY,
    DemoSize,
    demo_county_exists,
)
from fengqiao.demo.fulfilment import demo_fulfilment_seed
from fengqiao.demo.governance import demo_governance_seed
from fengqiao.demo.guidance import demo_guidance_seed
from fengqiao.demo.mediators import demo_mediators_seed
from fengqiao.demo.referrals import demo_referrals_seed
from fengqiao.demo.reports import demo_reports_seed
from fengqiao.demo.screening import demo_screening_seed
from fengqiao.demo.seed import DemoAlreadyLoaded, demo_seed
from fengqiao.demo.warnings import demo_warnings_seed
from fengqiao.regions.models import Region
from fengqiao.stats.services import rollups_rebuild

# --small: the same kinds of orgs and the same demo accounts in three townships of three villages,
# and only the demo cases every state and every account needs (a few per state): a few seconds,
# for browser tests per demo role (docs/demo.md).
SMALL_COUNTY = DemoSize(townships=3, villages_per_township=3, grids_per_village=2)


class Command(BaseCommand):
    help = (
        f"生成虚构的演示区县“{COUNTY_NAME}”（区划代码 {COUNTY_CODE}）：乡镇街道、村社区、网格、"
        "各类调解组织、调解员和网格员、各角色的演示账户。同一 --seed 生成的数据完全相同。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="演示区县已存在或库中已有其他行政区划时什么也不做（供 bin/run 启动时调用）",
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="小型演示区县（3 个乡镇、每镇 3 个村，同样的单位类型和演示账户，"
            "每种状态几件案件），几秒生成，供按角色的浏览器测试使用",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_county_exists():
            if options["if_empty"]:
                self.stdout.write(f"演示区县“{COUNTY_NAME}”已存在，跳过生成。")
                return
            raise CommandError(
                f"演示区县“{COUNTY_NAME}”（{COUNTY_CODE}）已存在，不再重复生成。"
                "如需重新生成，请使用一个新的空数据库。"
            )
        if options["if_empty"] and Region.objects.exists():
            # A deployment that has loaded its own regions is not a demo: leave it alone.
            self.stdout.write("数据库中已有行政区划数据，不生成演示数据。")
            return
        started = time.monotonic()
        size = SMALL_COUNTY if options["small"] else FULL_COUNTY
        count = FORCED_CASES_ONLY if options["small"] else FULL_CASES
        try:
            summary = demo_seed(seed=options["seed"], today=timezone.localdate(), size=size)
        except DemoAlreadyLoaded as exc:
            raise CommandError(f"演示区县“{COUNTY_NAME}”（{exc}）已存在，不再重复生成。") from exc
        cases = demo_cases_seed(seed=options["seed"], today=timezone.localdate(), count=count)
        fulfilment = demo_fulfilment_seed(seed=options["seed"])
        confirmations = demo_confirmations_seed(small=options["small"])
        roster, referrals = demo_referrals_seed(today=timezone.localdate())
        governance = demo_governance_seed(today=timezone.localdate())
        warnings = demo_warnings_seed()
        screening = demo_screening_seed(seed=options["seed"], today=timezone.localdate())
        alarms = demo_alarms_seed()
        asked = demo_guidance_seed()
        # The simulated history is bulk-loaded, beside the services: count it once, in full.
        counted = rollups_rebuild()
        mediators = demo_mediators_seed(today=timezone.localdate())
        schemes = demo_assessment_seed(today=timezone.localdate())
        reports = ""
        if not options["small"]:
            # Last period's reports, so 报表中心 is not empty after `make run` (not --small:
            # the demo_county test fixture stays fast).
            made = demo_reports_seed(today=timezone.localdate())
            reports = (
                f"上期报表 {made.done} 份（区县 {len(made.county)} 份用时 "
                f"{made.county_seconds:.1f} 秒、乡镇月研判 {len(made.townships)} 份用时 "
                f"{made.township_seconds:.1f} 秒），"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示区县“{COUNTY_NAME}”（种子 {options['seed']}）："
                f"区划 {summary.regions} 个，单位 {summary.orgs} 个，人员 {summary.people} 人"
                f"（调解员 {summary.mediators} 人、网格员 {summary.grid_workers} 人），"
                f"演示账户 {summary.accounts} 个，"
                f"电子签章证书 {summary.signing_credentials} 张（演示根证书签发），"
                f"去年1月以来的演示案件 {cases.cases} 件"
                f"（交办单 {cases.orders} 张、督办单 {cases.supervisions} 张），"
                f"履行跟踪 {fulfilment.cases} 件（自动履行证明书 {fulfilment.certificates} 份），"
                f"司法确认申请 {confirmations.confirmations} 件"
                f"（往期已确认 {confirmations.history} 件），"
                f"法院委派委托 {referrals} 件、特邀调解名册 {roster} 条，"
                f"会议 {governance.meetings} 次（交办任务 {governance.tasks} 项）、"
                f"法治宣传活动 {governance.activities} 次，报警直通记录 {alarms} 条，"
                f"风险预警 {warnings.warnings} 条、应急联动 {warnings.emergencies} 次，"
                f"排查报告 {screening.reports} 份（零报告 {screening.zero} 份、"
                f"迟报 {screening.late} 份）、专项排查 {screening.campaigns} 项，"
                f"业务指导请求 {asked} 件，统计汇总计入 {counted.cases} 件，"
                f"调解员选聘报名 {mediators.applicants} 人、补贴标准 {mediators.rules} 条、"
                f"上月补贴结算 {mediators.statement_lines} 行、"
                f"调解员投诉 {mediators.complaints} 件，"
                f"考核方案 {schemes} 个，{reports}"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        self.stdout.write("运行 manage.py demo_accounts 查看演示账户和密码。")
