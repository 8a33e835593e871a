"""Boletos: line arithmetic (lines.py); the PDF (pdf.py) belongs to sending."""
