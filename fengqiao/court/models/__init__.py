"""The court app's models, one module per part: referral (委派/委托) and confirmation (司法确认)."""
