"""Single-value rules: CPF and email checks, header matching, delimiter detection."""
from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from app.intake import emails
from app.intake.cpf import check_digits_match, is_valid_reference, normalize_cpf
from app.intake.headers import match_columns
from app.intake.sources import detect_delimiter


def test_cpf_check_digits_agree_with_python_stdnum_on_random_numbers():
    rng = random.Random(20261127)
    numbers = [f"{rng.randrange(10**11):011d}" for _ in range(50_000)]
    # Half of them made valid, so both verdicts are exercised.
    numbers += [n[:9] + __import__("stdnum.br.cpf", fromlist=["x"])._calc_check_digits(n) for n in numbers[:25_000]]
    disagreements = [n for n in numbers if n != n[0] * 11 and check_digits_match(n) != is_valid_reference(n)]
    assert disagreements == []


@pytest.mark.parametrize("raw, expected", [
    ("529.982.247-25", "52998224725"),
    (" 52998224725 ", "52998224725"),
    ("3685509233", "03685509233"),      # lost one leading zero
    ("441263950", "00441263950"),       # lost two
    ("036.855.092-33", "03685509233"),
])
def test_cpf_is_normalized_to_11_digits(raw, expected):
    assert normalize_cpf(raw) == (expected, None)


@pytest.mark.parametrize("raw, reason_part", [
    ("", "não informado"),
    ("111.111.111-11", "todos os dígitos iguais"),
    ("00000000000", "todos os dígitos iguais"),
    ("529.982.247-24", "dígitos verificadores"),
    ("12345678", "11 dígitos"),
    ("123456789012", "11 dígitos"),
    ("5299822472a", "não são números"),
    ("5,29982E+10", "notação científica"),
    ("５２９９８２２４７２５", "não são números"),  # full-width digits are not ASCII digits
])
def test_invalid_cpf_gets_a_portuguese_reason(raw, reason_part):
    cpf, reason = normalize_cpf(raw)
    assert cpf is None and reason_part in reason


@pytest.mark.parametrize("address", [
    "ana@exemplo.com.br", "Ana.Silva+boletos@Exemplo.COM.br", "a_b-c@sub.dominio-x.com", "x@a.io",
    "o'neil@exemplo.com", "1234@exemplo.net",
])
def test_plain_addresses_are_accepted_in_lower_case(address):
    assert emails.normalize_email(address) == address.lower()


@pytest.mark.parametrize("address", [
    "sem-arroba", "a@b", "a..b@exemplo.com", ".a@exemplo.com", "a.@exemplo.com", "a@-exemplo.com",
    "a@exemplo..com", "a@exemplo.123", "josé@exemplo.com", "a@empresa.test", "a@host.local",
    "a b@exemplo.com", "=cmd|'/c calc'!A1@x.com", "a@" + "b" * 64 + ".com",
])
def test_invalid_addresses_are_refused(address):
    assert emails.normalize_email(address) is None


def test_fast_path_accepts_only_what_email_validator_accepts():
    """The regular expression is a subset of email-validator: random near-miss strings
    accepted by the fast path must all be accepted by email-validator too."""
    rng = random.Random(7)
    alphabet = "abcz09.-_+@'!#$%&*/=?^`{|}~xn"
    pattern = emails._PLAIN
    accepted_by_regex = 0
    for _ in range(30_000):
        local = "".join(rng.choice(alphabet.replace("@", "")) for _ in range(rng.randint(1, 12)))
        domain = ".".join("".join(rng.choice("abc-0xn") for _ in range(rng.randint(1, 6)))
                          for _ in range(rng.randint(1, 3))) + "." + rng.choice(["com", "br", "test", "c0m", "io", "local"])
        address = f"{local}@{domain}"
        if pattern.fullmatch(address):
            accepted_by_regex += 1
            try:
                validate_email(address, check_deliverability=False, allow_smtputf8=False)
            except EmailNotValidError as exc:  # pragma: no cover - this is the failure
                pytest.fail(f"fast path accepted {address!r} but email-validator refuses it: {exc}")
    assert accepted_by_regex > 1000


def test_a_cell_splits_on_semicolons_commas_and_spaces():
    assert emails.split_cell(" a@x.com; b@x.com,c@x.com  d@x.com ;; ") == ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]


@pytest.mark.parametrize("header, cpf, email_count", [
    (["cpf", "e-mail"], 0, 1),
    (["Nome", "CPF ", "E-MAIL"], 1, 1),
    (["CPF", "Email1", "EMAIL 2", "e_mail10", "emails"], 0, 4),
    (["Cpf", "Endereço de e-mail"], 0, 0),
    (["Côdigo", "ÉMAIL"], None, 1),
])
def test_headers_match_without_case_accents_or_punctuation(header, cpf, email_count):
    columns = match_columns(header)
    assert (columns.cpf, len(columns.emails)) == (cpf, email_count)


@pytest.mark.parametrize("line, delimiter", [
    ("CPF;EMAIL", ";"), ("CPF,EMAIL", ","), ("CPF\tEMAIL", "\t"),
    ("Nome, sobrenome;CPF;EMAIL", ";"),  # a comma inside a title does not fool it
])
def test_delimiter_is_detected_against_the_header(line, delimiter):
    assert detect_delimiter(line) == delimiter
