"""统计期间 — the periods a figure is asked for: a week, a month, a quarter, a year, or any
range of days (both ends counted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

# Figures are kept from this year on; a period outside [MIN_DAY, MAX_DAY] is refused where it is
# parsed (a mistyped year must not scan nothing for a second and show zeros).
MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2099, 12, 31)


def _month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = "custom"  # week, month, quarter, year or custom

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends before it starts")

    @classmethod
    def week(cls, d: date) -> Period:
        start = d - timedelta(days=d.weekday())
        return cls(start, start + timedelta(days=6), "week")

    @classmethod
    def month(cls, d: date) -> Period:
        return cls(d.replace(day=1), _month_end(d), "month")

    @classmethod
    def quarter(cls, d: date) -> Period:
        first = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
        return cls(first, _month_end(first.replace(month=first.month + 2)), "quarter")

    @classmethod
    def year(cls, d: date) -> Period:
        return cls(date(d.year, 1, 1), date(d.year, 12, 31), "year")

    @classmethod
    def of(cls, kind: str, d: date) -> Period:
        return {"week": cls.week, "month": cls.month, "quarter": cls.quarter, "year": cls.year}[
            kind
        ](d)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The same kind of period just before (a custom range: as many days just before)."""
        if self.kind in ("week", "month", "quarter", "year"):
            return Period.of(self.kind, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def compared_with(self, today: date) -> Period:
        """The period 纠纷下降率 compares this one with: the one just before (``previous``) —
        while this one is under way (``today`` inside it, before its last day), only as many of
        its first days as have passed of this one (上期同期: December 1–5 with November 1–5,
        this year to date with last year to the same day)."""
        before = self.previous()
        if not self.start <= today < self.end:
            return before
        end = before.start + (today - self.start)
        return before if end >= before.end else Period(before.start, end)

    def whole_months(self) -> tuple[date, date] | None:
        """The first days of the first and last calendar months wholly inside, if any."""
        first = self.start if self.start.day == 1 else _month_end(self.start) + timedelta(days=1)
        last_end = (
            self.end
            if self.end == _month_end(self.end)
            else self.end.replace(day=1) - timedelta(days=1)
        )
        if first > last_end:
            return None
        return first, last_end.replace(day=1)

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(y)d年") % {"y": self.start.year}
        if self.kind == "quarter":
            return _("%(y)d年第%(q)d季度") % {
                "y": self.start.year,
                "q": (self.start.month + 2) // 3,
            }
        if self.kind == "month":
            return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        return _("%(a)s至%(b)s") % {"a": self.start.isoformat(), "b": self.end.isoformat()}
