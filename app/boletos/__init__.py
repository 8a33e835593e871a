"""Boletos: line arithmetic (lines.py), barcode and PDF (pdf.py)."""
