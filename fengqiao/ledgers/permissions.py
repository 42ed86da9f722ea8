EXPORT_LEDGER = "ledgers.export_ledger"
