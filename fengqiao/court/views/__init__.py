"""The court app's pages, one module per part (``confirmation``: 司法确认; ``referral``: queues,
委派/委托, roster)."""
