"""Search by a client's whole CPF (exact, with or without punctuation; masked for operators) or e-mail."""
import re

import pytest

from app.models.campaigns import SENDING
from tests.helpers.report_factories import make_campaign, make_client, make_cpf


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-campaign-id="(\d+)"', html)]


def punctuated(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


@pytest.fixture
def two_campaigns(seeded):
    first, second = make_campaign(status=SENDING), make_campaign(status=SENDING)
    make_client(first, 11, ["Ana.Silva@Exemplo.com.br".lower(), "ana@trabalho.com.br"])
    make_client(first, 12, ["bia@exemplo.com.br"])
    make_client(second, 13, ["ana.silva@exemplo.com.br.outro"])
    return first, second


@pytest.mark.parametrize("typed", [make_cpf(11), punctuated(make_cpf(11))])
def test_a_whole_cpf_finds_the_campaigns_that_have_that_client(two_campaigns, operator_client, typed):
    first, _ = two_campaigns
    html = operator_client.get("/admin/campanhas/", query_string={"busca": typed}).get_data(as_text=True)
    assert listed_ids(html) == [first.id]


def test_part_of_a_cpf_finds_no_client(two_campaigns, operator_client):
    html = operator_client.get("/admin/campanhas/", query_string={"busca": make_cpf(11)[1:]}).get_data(as_text=True)
    assert listed_ids(html) == []


def test_an_email_finds_its_campaign_whatever_the_case_and_only_whole(two_campaigns, operator_client):
    first, _ = two_campaigns
    html = operator_client.get("/admin/campanhas/", query_string={"busca": "ANA.SILVA@exemplo.com.BR"}).get_data(
        as_text=True)
    assert listed_ids(html) == [first.id]


def test_a_second_address_of_a_client_is_found(two_campaigns, operator_client):
    first, _ = two_campaigns
    html = operator_client.get("/admin/campanhas/", query_string={"busca": "ana@trabalho.com.br"}).get_data(as_text=True)
    assert listed_ids(html) == [first.id]


def test_a_cpf_search_in_a_campaigns_clients_shows_it_masked_to_an_operator(two_campaigns, operator_client):
    first, _ = two_campaigns
    cpf = make_cpf(11)
    html = operator_client.get(f"/admin/campanhas/{first.id}", query_string={"busca": punctuated(cpf)}).get_data(
        as_text=True)
    shown = re.findall(r"<td class=\"text-nowrap\" data-cpf>([^<]+)</td>", html)
    assert shown == [f"***.{cpf[3:6]}.{cpf[6:9]}-**"]


def test_an_email_search_in_a_campaigns_clients_lists_only_that_client(two_campaigns, operator_client):
    first, _ = two_campaigns
    html = operator_client.get(f"/admin/campanhas/{first.id}", query_string={"busca": "BIA@exemplo.com.br"}).get_data(
        as_text=True)
    assert html.count("data-cpf>") == 1 and "bia@exemplo.com.br" in html


def test_the_first_page_has_no_link_to_a_page_zero(seeded, operator_client):
    for _ in range(12):
        make_campaign(status=SENDING)
    html = operator_client.get("/admin/campanhas/").get_data(as_text=True)
    assert "pagina=0" not in html and 'aria-label="Anterior">&laquo;</span>' in html
