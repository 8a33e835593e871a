"""Boletos: line arithmetic, barcode, PDF."""
