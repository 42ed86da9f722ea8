"""The api app's permissions, one name each (checked by ``fengqiao.core.checks``)."""

VIEW_APIKEY = "api.view_apikey"
ADD_APIKEY = "api.add_apikey"
CHANGE_APIKEY = "api.change_apikey"
