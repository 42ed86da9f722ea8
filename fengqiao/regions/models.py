from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.paths import PATH_DEPTH, PATH_SEGMENT
from fengqiao.regions.choices import RegionLevel


class Region(models.Model):
    """行政区划 — a node of the region tree (12-digit statistical code; grids add a suffix).

    ``path`` is the concatenation of the padded codes from the root down to this node, so the
    descendants of a node are exactly the rows whose path lies in ``[path, path + "9…9"]``: one
    indexed range scan at any size of tree.
    """

    code = models.CharField(_("区划代码"), max_length=PATH_SEGMENT, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(
        _("路径"), max_length=PATH_SEGMENT * PATH_DEPTH, unique=True, editable=False
    )
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)

    scope_lookups: ClassVar[dict[str, str]] = {"region": "path"}

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_SEGMENT

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first (derivable from the path without a query)."""
        return [self.path[:i] for i in range(PATH_SEGMENT, len(self.path), PATH_SEGMENT)]

    def contains(self, other: Region) -> bool:
        return other.path.startswith(self.path)


def path_segment(code: str) -> str:
    return code.ljust(PATH_SEGMENT, "0")
