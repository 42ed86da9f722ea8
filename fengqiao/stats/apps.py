from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fengqiao.stats"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from fengqiao.disputes.hooks import register_case_recorded
        from fengqiao.stats.services import case_mark_stale

        # Every timeline entry marks its case for the rollups, in the entry's transaction.
        register_case_recorded(case_mark_stale)
