"""The court app's reads, one module per part (``confirmation``: 司法确认; ``referral``: the
queues and the roster)."""
