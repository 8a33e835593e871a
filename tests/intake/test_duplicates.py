"""The same file for the same operation and day twice: the form asks, the API answers 409, allow_duplicate
creates it, and a canceled campaign does not count."""
from app.campaigns import lifecycle
from app.extensions import db
from app.models import Campaign
from tests.helpers.intake import post_api, post_form
from tests.intake.golden_cases import A, B

def campaign_count() -> int:
    return db.session.execute(db.select(db.func.count(Campaign.id))).scalar_one()


FILE = f"CPF;EMAIL\n{A};a@exemplo.com.br\n{B};b@exemplo.com.br\n".encode()
SAME_CLIENTS_REORDERED = f"cpf,email\n{B},B@Exemplo.com.br\n{A},a@exemplo.com.br\n".encode()


def test_the_api_answers_409_with_the_other_campaign(seeded, client, operator_headers):
    first = post_api(client, operator_headers, FILE, "clientes.csv").get_json()

    again = post_api(client, operator_headers, SAME_CLIENTS_REORDERED, "outro-nome.csv")

    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "duplicate_campaign" and error["details"]["campaign_id"] == first["id"]
    assert error["message"].startswith(f"A campanha #{first['id']} já tem este arquivo para ")
    assert campaign_count() == 1


def test_allow_duplicate_creates_the_second_one(seeded, client, operator_headers):
    post_api(client, operator_headers, FILE, "clientes.csv")
    form_extra = {"allow_duplicate": "true"}

    import io

    again = client.post("/api/v1/campaigns", headers=operator_headers, content_type="multipart/form-data",
                        data={"operation": "CLARO", "campaign_type": "CLARO FASE 1", "scheduled_at": "2099-08-05T08:00:00",
                              "file": (io.BytesIO(FILE), "clientes.csv"), **form_extra})

    assert again.status_code == 201
    assert campaign_count() == 2


def test_a_canceled_campaign_does_not_count(seeded, client, operator_headers):
    first = post_api(client, operator_headers, FILE, "clientes.csv").get_json()
    lifecycle.cancel(first["id"])

    assert post_api(client, operator_headers, FILE, "clientes.csv").status_code == 201


def test_another_day_or_operation_is_not_a_duplicate(seeded, client, operator_headers):
    post_api(client, operator_headers, FILE, "clientes.csv")

    other_day = post_api(client, operator_headers, FILE, "clientes.csv", scheduled_at="2099-08-06T08:00:00")
    other_operation = post_api(client, operator_headers, FILE, "clientes.csv", operation="NET",
                               campaign_type="NET FASE 1")

    assert (other_day.status_code, other_operation.status_code) == (201, 201)


def test_the_form_asks_before_creating_a_second_one(seeded, operator_client):
    post_form(operator_client, FILE, "clientes.csv")

    page = post_form(operator_client, FILE, "clientes.csv")

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "já tem este arquivo para" in html and "Cadastrar mesmo assim?" in html
    assert 'name="allow_duplicate"' in html
    assert campaign_count() == 1
