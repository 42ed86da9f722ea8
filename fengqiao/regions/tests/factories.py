from __future__ import annotations

from fengqiao.regions.models import Region
from fengqiao.regions.services import region_create


def make_region(
    code: str, name: str, parent: Region | None = None, population: int | None = None
) -> Region:
    """A region with a consistent path (regions are built through the service, not a factory
    that could invent an inconsistent path)."""
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return region_create(code=code, name=name, parent=parent, population=population)
