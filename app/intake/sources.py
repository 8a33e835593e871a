"""Bytes -> rows. Detects XLSX or CSV by content (never by name alone), the CSV
encoding and delimiter, and refuses oversized or disguised files before
anything is expanded. Rows are streamed: memory does not grow with the file."""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from xml.etree import ElementTree

import openpyxl

from .errors import IntakeRefused
from .headers import Columns, match_columns

ALLOWED_EXTENSIONS = {"csv", "txt", "xlsx"}
DELIMITERS = (";", ",", "\t")
_CHUNK = 1 << 20

NOT_A_SPREADSHEET = "O arquivo não é uma planilha CSV ou XLSX válida."
EMPTY = "O arquivo está vazio."
NO_HEADER = ("A primeira linha da planilha deve ter os títulos das colunas CPF e EMAIL "
             "(baixe o modelo para ver o formato).")


@dataclass
class Limits:
    max_rows: int
    max_uncompressed_bytes: int


@dataclass
class Source:
    kind: str  # csv | xlsx
    columns: Columns
    rows: Iterator[tuple[int, list]]  # (spreadsheet line number, cells) after the header
    encoding: str | None = None
    delimiter: str | None = None
    close: callable = lambda: None


def open_source(stream: BinaryIO, filename: str, limits: Limits) -> Source:
    """Open an uploaded file (seekable binary stream) as a Source, or raise IntakeRefused."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension and extension not in ALLOWED_EXTENSIONS:
        raise IntakeRefused(f"Envie um arquivo .csv ou .xlsx (recebido: .{extension[:10]}).")
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise IntakeRefused(EMPTY)
    if head.startswith(b"%PDF"):
        raise IntakeRefused("O arquivo é um PDF, não uma planilha. Envie um arquivo .csv ou .xlsx.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IntakeRefused("Planilhas .xls (Excel 97-2003) não são aceitas: salve como .xlsx ou .csv.")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(stream, limits)
    return _open_csv(stream, head, limits)


# --- CSV ---------------------------------------------------------------------------

def detect_encoding(stream: BinaryIO, head: bytes) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252."""
    if b"\x00" in head:
        raise IntakeRefused(NOT_A_SPREADSHEET)
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
        decoder = codecs.getincrementaldecoder("cp1252")()
        stream.seek(0)
        try:
            # cp1252 leaves five bytes undefined: random bytes almost always contain one.
            while chunk := stream.read(_CHUNK):
                if b"\x00" in chunk:
                    raise IntakeRefused(NOT_A_SPREADSHEET)
                decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise IntakeRefused(NOT_A_SPREADSHEET) from exc
    stream.seek(0)
    return encoding


def detect_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into CPF and email columns; else the most frequent."""
    for delimiter in DELIMITERS:
        if match_columns(next(csv.reader([header_line], delimiter=delimiter))).complete:
            return delimiter
    return max(DELIMITERS, key=header_line.count)


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read the upload without closing it when the wrapper is collected."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open_csv(stream: BinaryIO, head: bytes, limits: Limits) -> Source:
    encoding = detect_encoding(stream, head)
    text = io.TextIOWrapper(io.BufferedReader(_Unclosable(stream), _CHUNK), encoding=encoding, newline="")
    # Skip blank lines before the header; the header decides the delimiter.
    line_no = 0
    header_line = ""
    while True:
        header_line = text.readline()
        if not header_line:
            raise IntakeRefused(EMPTY)
        line_no += 1
        if header_line.strip():
            break
    delimiter = detect_delimiter(header_line.rstrip("\r\n"))
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    columns = match_columns(header)

    def rows() -> Iterator[tuple[int, list]]:
        reader = csv.reader(text, delimiter=delimiter)
        number = line_no
        try:
            for record in reader:
                number += 1
                yield number, record
        except csv.Error as exc:
            raise IntakeRefused(f"CSV malformado perto da linha {number + 1}: verifique as aspas.") from exc

    return Source("csv", columns, rows(), encoding=encoding, delimiter=delimiter, close=text.detach)


# --- XLSX --------------------------------------------------------------------------

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_SMALL_PART = 4 << 20


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if archive.getinfo(name).file_size > _SMALL_PART:
            raise IntakeRefused(NOT_A_SPREADSHEET)
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{ns_main}sheets/{ns_main}sheet")
    if sheet is None:
        return None
    rel_id = sheet.get(f"{ns_rel}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def check_xlsx(stream: BinaryIO, limits: Limits) -> None:
    """Refuse zip bombs and sheets with too many rows by reading only the zip directory
    and the first few kilobytes of the first sheet."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise IntakeRefused(NOT_A_SPREADSHEET) from exc
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            raise IntakeRefused(NOT_A_SPREADSHEET)
        expanded = sum(info.file_size for info in archive.infolist())
        if expanded > limits.max_uncompressed_bytes:
            mb = limits.max_uncompressed_bytes // (1024 * 1024)
            raise IntakeRefused(f"A planilha XLSX descompactada passa do limite de {mb} MB. "
                                "Divida a planilha ou envie como CSV.")
        try:
            sheet = _first_sheet_path(archive)
        except (KeyError, ElementTree.ParseError) as exc:
            raise IntakeRefused(NOT_A_SPREADSHEET) from exc
        if sheet is None or sheet not in names:
            raise IntakeRefused(NOT_A_SPREADSHEET)
        with archive.open(sheet) as part:
            start = part.read(16384)
        match = _DIMENSION.search(start)
        if match and match.group(1) and int(match.group(1)) > limits.max_rows + 1:
            raise IntakeRefused(too_many_rows(limits.max_rows))
    stream.seek(0)


def too_many_rows(max_rows: int) -> str:
    return f"A planilha passa do limite de {max_rows:,} linhas. Divida-a em arquivos menores.".replace(",", ".")


def xlsx_cell(value) -> str:
    """Numeric cells read as integers (CPFs typed as numbers); everything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _open_xlsx(stream: BinaryIO, limits: Limits) -> Source:
    check_xlsx(stream, limits)

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The sheet's declared dimension (A1:XFD20000) is not to be believed: openpyxl would pad every row
        # to it, 16,384 cells a row. Rows are read as they are, and past the header only up to the last
        # column we need.
        sheet.reset_dimensions()
        raw_rows = sheet.iter_rows(values_only=True)
        line_no = 0
        header = None
        for values in raw_rows:
            line_no += 1
            if any(v not in (None, "") for v in values):
                header = [xlsx_cell(v) for v in values]
                break
    except IntakeRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise IntakeRefused(NOT_A_SPREADSHEET) from exc
    if header is None:
        workbook.close()
        raise IntakeRefused(EMPTY)
    columns = match_columns(header)
    needed = [i for i in (columns.cpf, columns.name, *columns.emails) if i is not None]
    data_rows = sheet.iter_rows(min_row=line_no + 1, max_col=max(needed, default=0) + 1, values_only=True)

    def rows() -> Iterator[tuple[int, list]]:
        number = line_no
        try:
            for values in data_rows:
                number += 1
                yield number, [xlsx_cell(v) for v in values]
        except IntakeRefused:
            raise
        except Exception as exc:
            raise IntakeRefused(f"Planilha XLSX danificada perto da linha {number}.") from exc

    return Source("xlsx", columns, rows(), close=workbook.close)
