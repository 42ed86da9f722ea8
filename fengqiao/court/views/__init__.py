"""The court app's pages, one module per part (confirmation: 司法确认)."""
