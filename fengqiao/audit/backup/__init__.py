"""备份与恢复: ``manage.py backup`` / ``restore`` and the scheduled backup (docs/operations.md)."""
