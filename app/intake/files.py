"""Files the intake hands out: the template (.xlsx/.csv) and the refused lines (.xlsx)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

TEMPLATE_HEADER = ("CPF", "EMAIL")
TEMPLATE_ROWS = (("123.456.789-09", "cliente@exemplo.com.br"), ("123.456.789-09", "cliente.trabalho@exemplo.com.br"))
INSTRUCTION = ("Uma linha por e-mail: repita o CPF em uma nova linha para cada e-mail adicional "
               "(até 10 por cliente). CPF com ou sem pontuação. Apague as linhas de exemplo antes de enviar.")

# Cells starting with these are run as formulas by spreadsheet programs (CSV/formula injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """A value safe to put in a spreadsheet cell: text that would be a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Clientes"
    sheet.append(TEMPLATE_HEADER)
    for cpf, email in TEMPLATE_ROWS:
        sheet.append([cpf, email])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "@"  # text: Excel keeps the CPF's leading zeros
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 40
    notes = workbook.create_sheet("Instruções")
    notes.append([INSTRUCTION])
    notes.append(["Colunas aceitas para e-mail: EMAIL, E-MAIL, EMAIL1 a EMAIL10 ou EMAILS. "
                  "Só a primeira aba é lida; outras colunas são ignoradas."])
    return _save(workbook)


def template_csv() -> bytes:
    """UTF-8 with BOM and ';' so that Brazilian Excel opens it in columns; the instruction
    goes in a third column, which the import ignores."""
    lines = [";".join(TEMPLATE_HEADER + ("INSTRUCOES",))]
    lines.append(";".join(TEMPLATE_ROWS[0] + (INSTRUCTION,)))
    lines.append(";".join(TEMPLATE_ROWS[1] + ("",)))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def issues_xlsx(issues) -> bytes:
    """Refused lines and warnings of an import (ImportIssue rows or parser Issues)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Linhas recusadas")
    sheet.append(["Linha", "Tipo", "Coluna", "Valor", "Motivo"])
    for issue in issues:
        kind = "Recusada" if issue.kind == "rejected" else "Aviso"
        sheet.append([issue.line, kind, neutralize(issue.column), neutralize(issue.value), neutralize(issue.reason)])
    return _save(workbook)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
