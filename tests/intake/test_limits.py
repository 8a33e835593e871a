"""Limits: upload size (413), row count, XLSX expansion; refused before anything is stored."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from tests.helpers.intake import campaign_count, post_api, post_form
from tests.intake.golden_cases import A, B

ONE_MB = 1024 * 1024


@pytest.fixture
def app_config():
    return {"MAX_UPLOAD_MB": 1, "MAX_CONTENT_LENGTH": ONE_MB, "MAX_ROWS": 5, "MAX_XLSX_UNCOMPRESSED_MB": 1}


def _big_csv() -> bytes:
    line = f"{A};ana@exemplo.com.br\n".encode()
    return b"CPF;EMAIL\n" + line * (ONE_MB // len(line) + 10)


def test_api_answers_413_json_for_a_file_over_the_limit(seeded, client, operator_headers):
    response = post_api(client, operator_headers, _big_csv(), "grande.csv")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert "1 MB" in response.get_json()["error"]["message"]
    assert campaign_count() == 0


def test_form_shows_a_portuguese_413_page_for_a_file_over_the_limit(seeded, operator_client):
    response = post_form(operator_client, _big_csv(), "grande.csv")
    assert response.status_code == 413
    assert "passa do limite de 1 MB" in response.get_data(as_text=True)
    assert campaign_count() == 0


def test_more_lines_than_max_rows_creates_no_campaign(seeded, client, operator_headers):
    lines = ["CPF;EMAIL"] + [f"{A};c{n}@exemplo.com.br" for n in range(6)]
    response = post_api(client, operator_headers, "\n".join(lines).encode(), "linhas.csv")
    assert response.status_code == 422
    assert "limite de 5 linhas" in response.get_json()["error"]["message"]
    assert campaign_count() == 0


def test_blank_lines_do_not_count_against_max_rows(seeded, client, operator_headers):
    lines = ["CPF;EMAIL"] + [f"{A};c{n}@exemplo.com.br" for n in range(5)] + [";", "", ";;"]
    response = post_api(client, operator_headers, "\n".join(lines).encode(), "linhas.csv")
    assert response.status_code == 201


def _xlsx(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CPF", "EMAIL"])
    for n in range(rows):
        sheet.append([A, f"c{n}@exemplo.com.br"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_whose_dimension_exceeds_max_rows_is_refused_before_reading_rows(seeded, client, operator_headers):
    response = post_api(client, operator_headers, _xlsx(50), "linhas.xlsx")
    assert response.status_code == 422
    assert "limite de 5 linhas" in response.get_json()["error"]["message"]


def test_xlsx_that_expands_past_the_limit_is_refused_without_expanding(seeded, client, operator_headers):
    """A zip bomb: a small upload whose sheet would expand to 5 MB."""
    buffer = io.BytesIO(_xlsx(1))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (5 * ONE_MB))
    data = buffer.getvalue()
    assert len(data) < ONE_MB // 10
    response = post_api(client, operator_headers, data, "bomba.xlsx")
    assert response.status_code == 422
    assert "descompactada passa do limite de 1 MB" in response.get_json()["error"]["message"]


def test_zip_that_is_not_a_workbook_is_refused(seeded, client, operator_headers):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("documento.txt", "olá")
    response = post_api(client, operator_headers, buffer.getvalue(), "clientes.xlsx")
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "O arquivo não é uma planilha CSV ou XLSX válida."


def test_unbalanced_quotes_do_not_cause_a_500(seeded, client, operator_headers):
    data = f'CPF;EMAIL\n{B};"bia@exemplo.com.br\n'.encode() + b"x" * 200_000
    response = post_api(client, operator_headers, data, "aspas.csv")
    assert response.status_code == 422
    assert "CSV malformado" in response.get_json()["error"]["message"]
