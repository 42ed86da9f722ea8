"""The court app's models, one module per part: referral (委派/委托) and confirmation (司法确认)."""

from fengqiao.court.models.confirmation import (
    Confirmation,
    ConfirmationCounter,
    ScreeningFlag,
    ServiceReceipt,
)
from fengqiao.court.models.referral import CourtReferral, RosterMember

__all__ = [
    "Confirmation",
    "ConfirmationCounter",
    "CourtReferral",
    "RosterMember",
    "ScreeningFlag",
    "ServiceReceipt",
]
