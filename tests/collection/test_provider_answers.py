"""Each kind of provider answer, from a real HTTP provider on a free port, ends as the right client outcome."""
from datetime import timedelta

from app.campaigns.collection import collect_chunk
from app.campaigns.collection_chunks import plan_chunks
from app.models import Agreement, Alert, Boleto, Campaign, CampaignClient
from app.timeutil import local_date, now_utc
from tests.helpers.collection_factories import answer, make_campaign, parcela

CPF = "12345678909"


def _collect(provider, cpfs=(CPF,)):
    campaign = make_campaign(provider.url, clients=[(c, [f"{c}@x.com"]) for c in cpfs])
    plan_chunks(campaign.id)
    collect_chunk(campaign.id, 0)
    return campaign


def _client(cpf=CPF):
    return CampaignClient.query.filter_by(cpf=cpf).one()


def test_404_means_no_agreement(seeded, provider):
    _collect(provider)
    assert (_client().outcome, _client().error) == ("no_agreement", None)


def test_200_with_several_agreements_stores_every_agreement_and_boleto(seeded, provider):
    d = local_date(now_utc())
    provider.script[CPF] = [(200, answer(CPF, ("AC-1", [parcela("BL-1", d), parcela("BL-2", d + timedelta(days=30))]),
                                         ("AC-2", [parcela("BL-3", d + timedelta(days=7))]),
                                         ("AC-3", [parcela("BL-4", d + timedelta(days=3))])))]
    campaign = _collect(provider)
    assert Agreement.query.count() == 3 and Boleto.query.count() == 4
    assert sorted(b.external_id for b in Boleto.query.filter_by(selected=True)) == ["BL-1", "BL-3"]
    c = Campaign.query.filter_by(id=campaign.id).one()
    assert (c.agreements, c.boletos_total, c.boletos_selected, c.clients_ready) == (3, 4, 2, 1)
    assert _client().outcome == "ready" and _client().name == "MARIA DA SILVA"


def test_paid_and_cancelled_parcelas_are_stored_but_not_selected(seeded, provider):
    d = local_date(now_utc())
    provider.script[CPF] = [(200, answer(CPF, ("AC-1", [parcela("BL-1", d, status="paga"),
                                                        parcela("BL-2", d + timedelta(days=7), status="cancelada")])))]
    _collect(provider)
    assert Boleto.query.count() == 2 and Boleto.query.filter_by(selected=True).count() == 0
    assert _client().outcome == "nothing_due"


def test_a_500_that_succeeds_on_retry_is_collected(seeded, provider):
    d = local_date(now_utc())
    provider.script[CPF] = [(500, {"erro": "x"}), (200, answer(CPF, ("AC-1", [parcela("BL-1", d)])))]
    _collect(provider)
    assert _client().outcome == "ready" and len(provider.calls_for(CPF)) == 2


def test_a_500_that_never_recovers_is_an_api_error_after_three_attempts(seeded, provider):
    provider.script[CPF] = [(503, {"erro": "fora do ar"})]
    _collect(provider)
    assert _client().outcome == "api_error" and "HTTP 503" in _client().error
    assert len(provider.calls_for(CPF)) == 3


def test_a_timeout_is_retried_then_recorded(seeded, provider):
    provider.script[CPF] = [("sleep", 0.6, (200, answer(CPF)))]  # PROVIDER_TIMEOUT is 0.3 in these tests
    _collect(provider)
    assert _client().outcome == "api_error" and "Tempo esgotado" in _client().error
    assert len(provider.calls_for(CPF)) == 3


def test_429_waits_retry_after_and_does_not_count_as_a_failure(seeded, provider):
    d = local_date(now_utc())
    provider.script[CPF] = [(429, {"erro": "calma"}, {"Retry-After": "0.3"})] * 3 + [
        (200, answer(CPF, ("AC-1", [parcela("BL-1", d)])))]
    _collect(provider)
    calls = provider.calls_for(CPF)
    assert _client().outcome == "ready" and len(calls) == 4  # three 429s did not use up the 3 attempts
    assert calls[1] - calls[0] >= 0.28


def test_401_is_a_config_error_for_the_rest_of_the_campaign_with_one_alert(seeded, provider):
    provider.token = "outro-token"  # the operation's token is refused
    cpfs = [f"{n:011d}" for n in range(1, 21)]
    campaign = _collect(provider, cpfs)
    assert CampaignClient.query.filter_by(outcome="config_error").count() == 20
    assert len(provider.calls) <= 8  # only the calls already in flight (concurrency 8)
    assert Alert.query.filter_by(dedupe_key=f"provider-auth:{campaign.id}").count() == 1
    assert Campaign.query.filter_by(id=campaign.id).one().clients_config_error == 20


def test_a_body_that_is_not_json_is_an_api_error(seeded, provider):
    provider.script[CPF] = [(200, "<html>manutenção</html>")]
    _collect(provider)
    assert _client().outcome == "api_error" and "não é JSON" in _client().error
    assert len(provider.calls_for(CPF)) == 1  # a contract violation is not retried


def test_an_unexpected_status_is_an_api_error(seeded, provider):
    provider.script[CPF] = [(418, {"erro": "?"})]
    _collect(provider)
    assert _client().outcome == "api_error" and "HTTP 418" in _client().error


def test_a_line_with_a_wrong_check_digit_is_invalid_and_never_selected(seeded, provider):
    d = local_date(now_utc())
    bad = parcela("BL-1", d)
    bad["linha_digitavel"] = bad["linha_digitavel"][:9] + str((int(bad["linha_digitavel"][9]) + 1) % 10) + bad["linha_digitavel"][10:]
    bad.pop("codigo_barras")
    provider.script[CPF] = [(200, answer(CPF, ("AC-1", [bad, parcela("BL-2", d + timedelta(days=7))])))]
    campaign = _collect(provider)
    boleto = Boleto.query.filter_by(external_id="BL-1").one()
    assert (boleto.valid, boleto.selected) == (False, False) and "campo 1" in boleto.invalid_reason
    assert Boleto.query.filter_by(external_id="BL-2").one().selected  # the rest still counts
    assert Campaign.query.filter_by(id=campaign.id).one().boletos_invalid == 1


def test_unreadable_amount_and_due_date_make_the_parcela_invalid(seeded, provider):
    d = local_date(now_utc())
    item = parcela("BL-1", d)
    item.update(valor="cento e cinquenta", vencimento="05/08/2020")
    provider.script[CPF] = [(200, answer(CPF, ("AC-1", [item])))]
    _collect(provider)
    boleto = Boleto.query.one()
    assert not boleto.valid and "Valor ilegível" in boleto.invalid_reason and "Vencimento ilegível" in boleto.invalid_reason
    assert _client().outcome == "nothing_due"


def test_one_bad_answer_does_not_stop_the_others(seeded, provider):
    d = local_date(now_utc())
    good = "98765432100"
    provider.script[CPF] = [(200, "not json")]
    provider.script[good] = [(200, answer(good, ("AC-9", [parcela("BL-9", d)])))]
    _collect(provider, (CPF, good))
    assert _client(CPF).outcome == "api_error" and _client(good).outcome == "ready"


def test_the_client_sends_the_bearer_token_and_the_contract_path(seeded, provider):
    _collect(provider)
    assert provider.calls[0][1] == f"/v1/clientes/{CPF}/acordos"
