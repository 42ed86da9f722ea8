from __future__ import annotations

from django.utils import timezone

from fengqiao.core.models import Heartbeat


def heartbeat_beat(*, name: str) -> Heartbeat:
    beat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_run": timezone.now()}
    )
    return beat
