from __future__ import annotations

import struct
import zlib
from typing import Any

from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.dispatch import case_assess, case_dispatch, dispatch_accept
from fengqiao.disputes.tests.factories import register_case


def accepted_case(*, cast: Any, world: Any) -> Case:
    """A case in 东村 registered, assessed and dispatched by the township dispatcher and
    accepted by 东村's committee (mediator_east)."""
    case = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east
    )
    case = case_assess(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=case.version,
        category=case.category,
        grade=RiskGrade.LOW,
        note="研判：按核实情况确定风险等级。",
    )
    case = case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=case.version, orgs=[world.committee_east]
    )
    order = case.dispatches.get()
    return dispatch_accept(actor=cast.mediator_east, dispatch_id=order.pk)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
