"""The stats app's permissions (checked against the models by ``fengqiao.core.checks``)."""

VIEW_STATISTICS = "stats.view_statistics"
ADD_EXTERNALFIGURE = "stats.add_externalfigure"
