"""The regions app's permissions, one name each (checked by ``fengqiao.core.checks``)."""

VIEW_REGION = "regions.view_region"
ADD_REGION = "regions.add_region"
CHANGE_REGION = "regions.change_region"
