"""The standing judicial confirmations get their limits on the deadline sweep: a 待受理
application its 受理期限 (3 days from filing), a 待裁定 one its 审查期限 (15 days from acceptance,
with the 10-day extension recorded as a move when it was extended). Each keeps the date the
court was shown (``accept_due_at`` / ``rule_due_at``); one already passed is checked by the next
sweep (督办). An application that already has an open limit is left alone."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

# As deadlines.first_check when this was written: a reminder three days before a limit more
# than six days away, twelve hours before a shorter one, halfway for one under a day.
REMIND_BEFORE = timedelta(days=3)
REMIND_BEFORE_SHORT = timedelta(hours=12)


def _first_check(due_at, now):
    if due_at <= now:
        return now
    remaining = due_at - now
    lead = REMIND_BEFORE if remaining > 2 * REMIND_BEFORE else REMIND_BEFORE_SHORT
    return max(due_at - lead, now + remaining / 2)


def open_due_items(apps, schema_editor):
    Confirmation = apps.get_model("court", "Confirmation")
    DueItem = apps.get_model("disputes", "DueItem")
    kinds = ["confirm_accept", "confirm_rule"]
    now = timezone.now()
    covered = set(
        DueItem.objects.filter(kind__in=kinds, status="open").values_list("case_id", flat=True)
    )
    rows = []
    standing = Confirmation.objects.filter(status__in=["pending", "accepted"]).order_by("pk")
    for c in standing.iterator():
        if c.case_id in covered:
            continue
        if c.status == "pending":
            kind, start, amount, due_at, moves = "confirm_accept", c.filed_at, 3, c.accept_due_at, []
        else:
            if c.rule_due_at is None:
                continue
            moves = [{"extended": 10}] if c.extended_at is not None else []
            kind, start, amount, due_at = "confirm_rule", c.accepted_at, 15, c.rule_due_at
        rows.append(
            DueItem(
                case_id=c.case_id,
                kind=kind,
                org_id=c.court_id,
                due_at=due_at,
                started_at=start,
                period_unit="days" if start is not None else "",
                period_amount=amount if start is not None else None,
                moves=moves if start is not None else [],
                next_check_at=_first_check(due_at, now),
            )
        )
        covered.add(c.case_id)
    DueItem.objects.bulk_create(rows, batch_size=500)


def remove_due_items(apps, schema_editor):
    apps.get_model("disputes", "DueItem").objects.filter(
        kind__in=["confirm_accept", "confirm_rule"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("court", "0003_courtreferral_rostermember"),
        ("disputes", "0019_dueitem_confirmation_kinds"),
    ]

    operations = [migrations.RunPython(open_due_items, remove_due_items)]
