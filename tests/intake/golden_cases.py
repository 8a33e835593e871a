"""The golden files: every input the intake must handle, built here byte by byte
(cp1252, BOM, CRLF, XLSX with numbers and formulas...) so the fixtures are
reviewable as code. Expected results live in golden/<name>.json.

Regenerate expectations after a deliberate change: UPDATE_GOLDEN=1 pytest tests/intake/test_golden.py
(then read the diff: it is the specification).
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from stdnum.br import cpf as stdnum_cpf

from tests.helpers.intake import samples_dir


def valid_cpf(base9: str) -> str:
    """An 11-digit CPF with correct check digits for the given 9-digit base."""
    return base9 + stdnum_cpf._calc_check_digits(base9 + "00")


def fmt(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


A = valid_cpf("529982247")  # 52998224725
B = valid_cpf("036855092")  # leading zero
C = valid_cpf("004412639")  # two leading zeros (9 digits as a number)
D = valid_cpf("111444777")
E = valid_cpf("987654321")
BAD_CHECK = A[:9] + ("00" if A[9:] != "00" else "11")


def _csv(lines: list[str], encoding="utf-8", newline="\n", bom=False) -> bytes:
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sample(name: str) -> bytes:
    return (samples_dir() / name).read_bytes()


CASES = {
    "sample_exemplo_claro": ("exemplo_claro.csv", lambda: _sample("exemplo_claro.csv")),
    "sample_exemplo_net": ("exemplo_net.xlsx", lambda: _sample("exemplo_net.xlsx")),
    "sample_modelo": ("modelo.csv", lambda: _sample("modelo.csv")),
    "cp1252_semicolon_crlf": ("clientes_acentos.csv", lambda: _csv([
        "Nome;CPF;E-mail;Observação",
        f"João Conceição;{fmt(A)};joao.conceicao@exemplo.com.br;Negociação à vista",
        f"Márcia Araújo;{B};MARCIA@Exemplo.com.br;ação",
        f"Zé Ninguém;{fmt(D)};ze@exemplo.com.br;",
    ], encoding="cp1252", newline="\r\n")),
    "utf8_bom": ("clientes_bom.csv", lambda: _csv([
        "cpf;email",
        f"{A};ana@exemplo.com.br",
        f"{fmt(B)};bia@exemplo.com.br",
    ], bom=True)),
    "comma": ("clientes_virgula.csv", lambda: _csv([
        "E-MAIL,CPF,Cidade",
        f"ana@exemplo.com.br,{fmt(A)},São Paulo",
        f"\"bia@exemplo.com.br; bia2@exemplo.com.br\",{B},\"Rio de Janeiro, RJ\"",
    ])),
    "tab_delimited": ("clientes.txt", lambda: _csv([
        "CPF\tEMAIL1\tEMAIL2",
        f"{A}\tana@exemplo.com.br\tana.2@exemplo.com.br",
        f"{B}\tbia@exemplo.com.br\t",
    ])),
    "xlsx_numeric_cpfs_formula": ("numeros.xlsx", lambda: _xlsx([
        ["CPF", "EMAIL", "Valor"],
        [int(B), "bia@exemplo.com.br", 10.5],
        [int(C), "carlos@exemplo.com.br", None],
        [float(int(A)), "ana@exemplo.com.br", None],
        [int(D), '=LOWER("DIEGO@EXEMPLO.COM.BR")', None],  # a formula without a cached value
        [None, None, None],
        [E, "eva@exemplo.com.br", "=1+1"],
    ])),
    "several_emails_one_cell": ("varios_emails.csv", lambda: _csv([
        "CPF;EMAILS",
        f"{A};\"ana@exemplo.com.br;ana@trabalho.com.br\"",
        f"{B};bia@exemplo.com.br, bia@trabalho.com.br bia@casa.com.br",
        f"{D};\"  diego@exemplo.com.br ;; \"",
    ])),
    "twelve_emails_one_cpf": ("doze_emails.csv", lambda: _csv(
        ["CPF;EMAIL"] + [f"{fmt(A)};cliente{n:02d}@exemplo.com.br" for n in range(1, 13)] + [f"{B};bia@exemplo.com.br"]
    )),
    "duplicate_lines": ("duplicadas.csv", lambda: _csv([
        "CPF;EMAIL",
        f"{A};ana@exemplo.com.br",
        f"{A};ana@exemplo.com.br",
        f"{fmt(A)};ANA@EXEMPLO.COM.BR",
        f"{B};bia@exemplo.com.br",
        f"{A};ana.2@exemplo.com.br",
        f"{B};bia@exemplo.com.br",
    ])),
    "invalid_cpfs_and_emails": ("invalidos.csv", lambda: _csv([
        "CPF;EMAIL;EMAIL2",
        f"{fmt(BAD_CHECK)};ok1@exemplo.com.br;",
        "111.111.111-11;ok2@exemplo.com.br;",
        "12345678;ok3@exemplo.com.br;",
        "ABC.DEF.GHI-JK;ok4@exemplo.com.br;",
        "6,96579E+10;ok5@exemplo.com.br;",
        ";ok6@exemplo.com.br;",
        f"{A};sem-arroba.exemplo.com.br;",
        f"{B};ponto..duplo@exemplo.com.br;alguem@empresa.test",
        f"{D};;",
        f"{E};eva@exemplo.com.br;=HYPERLINK(\"http://x\")",
        f"{C};-2+3@exemplo;carlos@exemplo.com.br",
        f"{valid_cpf('123456789')};josé@exemplo.com.br;",
    ])),
    "all_lines_invalid": ("tudo_invalido.csv", lambda: _csv([
        "CPF;EMAIL",
        "000.000.000-00;a@exemplo.com.br",
        f"{A};nao-e-email",
    ])),
    "empty_file": ("vazio.csv", lambda: b""),
    "header_only": ("cabecalho.csv", lambda: _csv(["CPF;EMAIL"])),
    "no_cpf_column": ("sem_cpf.csv", lambda: _csv(["Documento;EMAIL", f"{A};ana@exemplo.com.br"])),
    "no_email_column": ("sem_email.csv", lambda: _csv(["CPF;Telefone", f"{A};11999990000"])),
    "renamed_pdf": ("clientes.csv", lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"),
    "random_bytes": ("clientes.xlsx", lambda: bytes((i * 7919 + 13) % 256 for i in range(4096))),
    "pdf_extension": ("clientes.pdf", lambda: _csv(["CPF;EMAIL", f"{A};ana@exemplo.com.br"])),
}
