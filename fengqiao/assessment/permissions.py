"""The assessment app's permissions (checked against the models by ``fengqiao.core.checks``)."""

VIEW_RANKING = "assessment.view_ranking"
MANAGE_SCHEME = "assessment.manage_scheme"
PUBLISH_RANKING = "assessment.publish_ranking"
