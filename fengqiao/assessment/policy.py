"""Who may do what with the assessment — one module the pages and the services both ask.

- 查看: a user holding ``view_ranking`` who reads the statistics of some region sees the
  rankings of its county, the lines of the regions they read (a township's 平安办 sees its own
  township's line and its communities; the county sees everything).
- 维护方案 and 发布: the county platform — ``manage_scheme`` / ``publish_ranking`` held by a user
  who reads the statistics of the whole county (a county dispatcher of the 综治中心); a
  township's dispatcher holds the same permissions for no county.
- 人工评分 (the scores of a 人工评分 indicator, e.g. seed 000 item 10): whoever maintains the
  scheme enters them — they are part of the county's judgement, as the weights are. The same
  people clear one (清除评分, with a reason) — but not once the period's ranking of the
  indicator's level has been published: the publication was judged with it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.access import user_perms
from fengqiao.assessment.models import Publication
from fengqiao.assessment.permissions import MANAGE_SCHEME, PUBLISH_RANKING, VIEW_RANKING
from fengqiao.regions.models import Region
from fengqiao.stats.periods import Period
from fengqiao.stats.selectors import may_read


def may_view(user: Any) -> bool:
    return VIEW_RANKING in user_perms(user)


def _for_county(user: Any, perm: str, county: Region) -> bool:
    return perm in user_perms(user) and may_read(user, county)


def may_manage(user: Any, county: Region) -> bool:
    return _for_county(user, MANAGE_SCHEME, county)


def may_publish(user: Any, county: Region) -> bool:
    return _for_county(user, PUBLISH_RANKING, county)


def may_score(user: Any, county: Region) -> bool:
    """May ``user`` enter the 人工评分 of ``county``'s regions."""
    return may_manage(user, county)


# ``clear_refusal``'s answer without the right to score (a page offers nothing, a service
# raises PermissionDenied); any other answer is the rule the user is told.
NOT_PERMITTED = "not permitted"


def clear_refusal(user: Any, county: Region, level: str, period: Period) -> str | None:
    """None when ``user`` may clear a 人工评分 of ``county``'s ``level`` regions for ``period``;
    ``NOT_PERMITTED`` without the right to score; otherwise why not, in Chinese."""
    if not may_score(user, county):
        return NOT_PERMITTED
    published = Publication.objects.filter(
        region=county, level=level, period_start=period.start, period_end=period.end
    ).exists()
    if published:
        return _("%(p)s的排名已发布，人工评分不能清除；如需更正，请录入新的评分后重新发布。") % {
            "p": period.label
        }
    return None
