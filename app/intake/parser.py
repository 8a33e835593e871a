"""Rows -> batches of clients, plus the refused lines and warnings. No database here.

A batch merges the lines of the same CPF it contains; merging across batches
(and the 10-address cap) is the store's job, so memory stays bounded by the
batch size however long the file is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from app.security.masking import mask_cpf, mask_cpfs_in_text
from app.security.text import without_control_characters

from . import emails as email_rules
from .cpf import normalize_cpf
from .emails import normalize_email, split_cell
from .errors import IntakeRefused
from .files import TEMPLATE_ROWS
from .headers import Columns
from .sources import too_many_rows

REJECTED = "rejected"
WARNING = "warning"
BATCH_LINES = 2000
# The template's example lines: a file that still has one is the template sent unchanged.
EXAMPLE_CPF = normalize_cpf(TEMPLATE_ROWS[0][0])[0]
EXAMPLE_EMAILS = frozenset(email for _, email in TEMPLATE_ROWS)
EXAMPLE_REFUSAL = (f"Esta é a planilha de exemplo: ela ainda tem a linha do CPF {TEMPLATE_ROWS[0][0]} "
                   f"({TEMPLATE_ROWS[0][1]}). Apague as linhas de exemplo, preencha com os CPFs e e-mails "
                   "dos seus clientes e envie de novo.")


@dataclass
class Issue:
    """A refused line or a warning. Whatever column it comes from, anything shaped like a CPF in its value
    (a CPF typed in the email column...) is masked here, before it is stored, shown or exported."""

    kind: str  # rejected | warning
    line: int | None
    column: str | None
    value: str | None  # CPF-shaped digits masked
    reason: str

    def __post_init__(self) -> None:
        if self.value:
            self.value = mask_cpfs_in_text(self.value)
        if self.column:
            self.column = mask_cpfs_in_text(self.column)

    def as_api(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class Draft:
    """One CPF's lines inside a batch."""

    line: int
    emails: list[str] = field(default_factory=list)
    name: str | None = None


class LineParser:
    def __init__(self, columns: Columns, max_rows: int, batch_lines: int = BATCH_LINES):
        self.columns = columns
        self.max_rows = max_rows
        self.batch_lines = batch_lines
        self.data_lines = 0
        self.example_lines = 0  # lines of the template's example (its CPF with its example address)
        self.rejected: list[Issue] = []
        self.warnings: list[Issue] = []
        self._cpf_title = columns.title(columns.cpf, "CPF")

    def batches(self, rows: Iterable[tuple[int, list]]) -> Iterator[dict[str, Draft]]:
        batch: dict[str, Draft] = {}
        lines_in_batch = 0
        for line, cells in rows:
            if not "".join(cells).strip():
                continue  # blank lines (Excel leaves many at the end) are not data
            self.data_lines += 1
            if self.data_lines > self.max_rows:
                raise IntakeRefused(too_many_rows(self.max_rows))
            self._read_line(line, cells, batch)
            lines_in_batch += 1
            if lines_in_batch >= self.batch_lines:
                yield batch
                batch = {}
                lines_in_batch = 0
        if batch:
            yield batch

    def _cell(self, cells: list, index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index] or ""

    def _read_line(self, line: int, cells: list, batch: dict[str, Draft]) -> None:
        raw_cpf = cells[self.columns.cpf] if self.columns.cpf < len(cells) else ""
        cpf, reason = normalize_cpf(raw_cpf)
        if cpf is None:
            masked = mask_cpf(raw_cpf) or ("***" if raw_cpf.strip() else None)
            self.rejected.append(Issue(REJECTED, line, self._cpf_title, masked, reason))
            return
        valid: list[str] = []
        invalid: list[tuple[int, str]] = []
        width = len(cells)
        for index in self.columns.emails:
            cell = cells[index] if index < width else ""
            if not cell:
                continue
            for part in split_cell(cell):
                address = normalize_email(part)
                if address is None:
                    invalid.append((index, part))
                elif address not in valid:
                    valid.append(address)
        if not valid:
            if invalid:
                index, part = invalid[0]
                values = ", ".join(p for _, p in invalid)
                self.rejected.append(Issue(REJECTED, line, self.columns.title(index, "EMAIL"), values[:200],
                                           f"{email_rules.INVALID}: nenhum endereço válido na linha"))
            else:
                self.rejected.append(Issue(REJECTED, line, self.columns.title(self.columns.emails[0], "EMAIL"),
                                           None, email_rules.MISSING))
            return
        if cpf == EXAMPLE_CPF and EXAMPLE_EMAILS.intersection(valid):
            self.example_lines += 1
        for index, part in invalid:
            self.warnings.append(Issue(WARNING, line, self.columns.title(index, "EMAIL"), part[:200],
                                       f"{email_rules.INVALID}, ignorado (os demais e-mails da linha foram aceitos)"))
        draft = batch.get(cpf)
        if draft is None:
            name = without_control_characters(self._cell(cells, self.columns.name)).strip()[:255] or None
            batch[cpf] = Draft(line, valid, name)
        else:
            draft.emails.extend(a for a in valid if a not in draft.emails)
