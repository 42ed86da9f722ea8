"""The court app's writes, one module per part (confirmation: 司法确认)."""
