"""The sandbox provider over HTTP, and the panel's "Testar conexão"."""
from datetime import date

import httpx
import pytest

from app.boletos.lines import parse_line
from app.providers.sandbox import make_sandbox_server
from tests.helpers.collection_factories import cpf_of
from tests.helpers.web import csrf_from

TODAY = date(2026, 11, 27)


@pytest.fixture
def sandbox():
    server = make_sandbox_server(today=TODAY, token="sandbox-token").start()
    yield server
    server.stop()


_http = httpx.Client()  # one pooled client: a new one per call costs ~0.1 s of TLS setup


def _get(server, path, token="sandbox-token"):
    return _http.get(server.url + path, headers={"Authorization": f"Bearer {token}"})


def test_sandbox_answers_are_deterministic_with_valid_lines(sandbox):
    statuses, dues, open_lines = set(), set(), 0
    for n in range(1, 200):
        first = _get(sandbox, f"/v1/clientes/{cpf_of(n)}/acordos")
        assert first.content == _get(sandbox, f"/v1/clientes/{cpf_of(n)}/acordos").content
        statuses.add(first.status_code)
        if first.status_code == 200:
            for acordo in first.json()["acordos"]:
                assert 1 <= len(first.json()["acordos"]) <= 3
                for p in acordo["parcelas"]:
                    parsed = parse_line(p["linha_digitavel"], reference=date.fromisoformat(p["vencimento"]))
                    assert parsed.barcode == p["codigo_barras"]
                    dues.add((date.fromisoformat(p["vencimento"]) - TODAY).days)
                    open_lines += p["status"] == "aberta"
    assert statuses == {200, 404}
    assert {0, 7} <= dues and open_lines > 50


def test_sandbox_serves_pdfs_and_refuses_a_wrong_token(sandbox):
    pdf = _get(sandbox, "/v1/boletos/BL-1-1-01.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert _get(sandbox, f"/v1/clientes/{cpf_of(1)}/acordos", token="errado").status_code == 401


def test_sandbox_failure_rate_gives_500s(sandbox):
    sandbox.sandbox.failure_rate = 1.0
    assert _get(sandbox, f"/v1/clientes/{cpf_of(1)}/acordos").status_code == 500


def _test_connection(admin_client, op_id):
    html = admin_client.get("/admin/operacoes/").get_data(as_text=True)
    form = html[html.index(f'action="/admin/operacoes/testar-conexao/{op_id}"'):]
    return admin_client.post(f"/admin/operacoes/testar-conexao/{op_id}", data={"csrf_token": csrf_from(form)},
                             follow_redirects=True)


def test_admin_tests_an_operations_connection(seeded, admin_client, sandbox):
    from app.extensions import db
    from app.models import Operation

    op = db.session.execute(db.select(Operation).filter_by(code="NET")).scalar_one()
    op.provider_url = sandbox.url
    op.set_provider_token("sandbox-token")
    db.session.commit()
    html = _test_connection(admin_client, op.id).get_data(as_text=True)
    assert "Conexão OK" in html


def test_admin_sees_a_refused_token_in_portuguese(seeded, admin_client, sandbox):
    from app.extensions import db
    from app.models import Operation

    op = db.session.execute(db.select(Operation).filter_by(code="NET")).scalar_one()
    op.provider_url = sandbox.url
    op.set_provider_token("token-errado")
    db.session.commit()
    html = _test_connection(admin_client, op.id).get_data(as_text=True)
    assert "recusou o token" in html and "token-errado" not in html


def test_the_sandbox_reference_day_is_today_in_sao_paulo_not_utc(monkeypatch):
    # 01:00 UTC on the 28th is 22:00 on the 27th in São Paulo: campaigns made then have D = the 27th.
    from datetime import date, datetime, timezone

    from app.providers.sandbox import Sandbox
    from tests.helpers.clock import Clock

    monkeypatch.delenv("TIMEZONE", raising=False)
    with Clock(datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc), tick=False):
        assert Sandbox().today() == date(2026, 11, 27)
