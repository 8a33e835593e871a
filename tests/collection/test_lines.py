"""Line arithmetic against published examples (FEBRABAN layouts; widely used sample slips)."""
from datetime import date
from decimal import Decimal

import pytest

from app.boletos.lines import (
    LineError,
    barcode_to_line,
    build_bank_line,
    date_for_factor,
    factor_for,
    line_to_barcode,
    parse_line,
    validate_barcode,
)

BANK_EXAMPLES = [
    # Banco do Brasil sample of the provider contract.
    ("00190500954014481606906809350314337370000000100", "00193373700000001000500940144816060680935031"),
    # Bradesco sample used by most validators (factor 7552 = 2018-06-11, R$ 3.700,00).
    ("23793381286000782713695000063305975520000370000", "23799755200003700003381260007827139500006330"),
]
COLLECTION_EXAMPLES = [
    # Energy bill, value id 6 (mod 10), R$ 66,78.
    ("836200000005667800481000180975657313001589636081", "83620000000667800481001809756573100158963608"),
    # Government slip, value id 8 (mod 11).
    ("858900004609524601791605607593050865831483000010", "85890000460524601791606075930508683148300001"),
    # Insurance, value id 8 (mod 11).
    ("838600000050096000190009000801782309000343062712", "83860000005096000190000008017823000034306271"),
]


@pytest.mark.parametrize("line,barcode", BANK_EXAMPLES + COLLECTION_EXAMPLES)
def test_published_lines_validate_and_convert_both_ways(line, barcode):
    assert parse_line(line).barcode == barcode
    assert line_to_barcode(line) == barcode
    assert barcode_to_line(barcode) == line
    assert validate_barcode(barcode) == barcode


def test_bradesco_sample_reads_amount_and_due_date_before_the_reset():
    parsed = parse_line("23793.38128 60007.827136 95000.063305 9 75520000370000", reference=date(2018, 6, 1))
    assert (parsed.kind, parsed.amount, parsed.due_date) == ("bank", Decimal("3700.00"), date(2018, 6, 11))


def test_collection_sample_reads_amount():
    parsed = parse_line("836200000005 667800481000 180975657313 001589636081")
    assert (parsed.kind, parsed.amount, parsed.due_date) == ("collection", Decimal("66.78"), None)


@pytest.mark.parametrize("due,factor", [
    (date(2000, 7, 3), "1000"),  # FEBRABAN table: first factor of 4 digits
    (date(2025, 2, 21), "9999"),  # last day of the first cycle
    (date(2025, 2, 22), "1000"),  # the reset
    (date(2025, 2, 23), "1001"),
    (date(2049, 10, 13), "9999"),  # end of the second cycle
])
def test_due_date_factor_follows_the_febraban_table(due, factor):
    assert factor_for(due) == factor


def test_factor_after_the_reset_is_read_near_the_reference_date():
    assert date_for_factor("1000", reference=date(2026, 1, 1)) == date(2025, 2, 22)
    assert date_for_factor("1000", reference=date(2001, 1, 1)) == date(2000, 7, 3)
    assert date_for_factor("0000") is None


def test_a_line_built_after_the_reset_carries_its_due_date():
    line = build_bank_line("341", Decimal("250.10"), date(2026, 12, 4), "1" * 25)
    parsed = parse_line(line, reference=date(2026, 12, 1))
    assert parsed.due_date == date(2026, 12, 4) and parsed.amount == Decimal("250.10")
    assert line[33:37] == "1650"  # 2026-12-04 is 650 days after 2025-02-22


@pytest.mark.parametrize("position,code", [(9, "field_dv"), (20, "field_dv"), (31, "field_dv"), (32, "general_dv")])
def test_a_wrong_digit_in_a_bank_line_is_refused_with_the_reason(position, code):
    line = list(BANK_EXAMPLES[1][0])
    line[position] = str((int(line[position]) + 1) % 10)
    with pytest.raises(LineError) as err:
        parse_line("".join(line))
    assert err.value.code == code and "inválido" in err.value.reason


def test_a_changed_amount_breaks_the_general_digit():
    line = BANK_EXAMPLES[1][0][:-1] + "1"
    with pytest.raises(LineError) as err:
        parse_line(line)
    assert err.value.code == "general_dv"


def test_a_wrong_block_digit_in_a_collection_line_is_refused():
    line = COLLECTION_EXAMPLES[0][0]
    bad = line[:11] + str((int(line[11]) + 1) % 10) + line[12:]
    with pytest.raises(LineError) as err:
        parse_line(bad)
    assert err.value.code == "field_dv"


def test_a_line_of_the_wrong_length_is_refused():
    with pytest.raises(LineError) as err:
        parse_line("1234")
    assert err.value.code == "length" and "47 ou 48" in err.value.reason
