"""Names in title case with Portuguese particles; due dates written once per year."""
from datetime import date

import pytest

from app.mailer.wording import due_dates_phrase, title_name


@pytest.mark.parametrize("raw, shown", [
    ("JOÃO DA CONCEIÇÃO", "João da Conceição"),
    ("maria das dores e silva", "Maria das Dores e Silva"),
    ("ANA  DOS   SANTOS", "Ana dos Santos"),
    ("DA SILVA JOSÉ", "Da Silva José"),  # a particle that opens the name is still a capital
    ("JOSÉ D'ÁVILA", "José D'Ávila"),
    ("MARIA-JOSÉ DE SOUZA", "Maria-José de Souza"),
    ("", ""),
    (None, ""),
])
def test_names_are_shown_in_title_case(raw, shown):
    assert title_name(raw) == shown


def test_three_dates_of_one_year_carry_the_year_once():
    days = [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]

    assert due_dates_phrase(days) == "30/11, 07/12 e 14/12/2026"
