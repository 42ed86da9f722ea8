"""The court app's writes, one module per part (``confirmation``: 司法确认; ``referral``:
委派/委托 and the roster)."""
