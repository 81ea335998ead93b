"""The batch engine: validation of records, one batch through the kernels, the typed batch
result, the output columns, the quote and synthetic records."""
