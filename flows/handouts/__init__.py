"""What the office hands around, rendered from a period's published tables: the workbook, the report, a card per
cooperative and the feedback to cooperatives whose rows were quarantined."""
