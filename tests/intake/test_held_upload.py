"""After an error on 'Cadastrar Campanha' the chosen file is kept (server-side, owner-bound, expiring)."""
import os
import re
import time

from app.extensions import db
from app.intake import held_upload
from app.models import Campaign
from tests.helpers.intake import campaign_type_id, post_form
from tests.helpers.web import csrf_from
from tests.intake.golden_cases import A

FILE = f"CPF;EMAIL\n{A};ana@exemplo.com.br\n".encode()
URL = "/admin/campanhas/nova/"


def _held_token(page: str) -> str:
    return re.search(r'name="held_file" value="([^"]+)"', page).group(1)


def _resubmit(client, token, **fields):
    csrf = csrf_from(client.get(URL).get_data(as_text=True))
    form = {"csrf_token": csrf, "operation": "CLARO", "campaign_type": str(campaign_type_id("CLARO FASE 1")),
            "scheduled_at": "2099-08-05T08:00", "held_file": token, **fields}
    return client.post(URL, data=form, content_type="multipart/form-data")


def test_a_form_error_keeps_the_file_and_names_it(seeded, operator_client):
    page = post_form(operator_client, FILE, "clientes.csv", operation="").get_data(as_text=True)
    assert "arquivo mantido: clientes.csv" in page


def test_the_kept_file_is_used_when_the_form_is_sent_again(seeded, operator_client):
    page = post_form(operator_client, FILE, "clientes.csv", scheduled_at="01/01/2020 08:00").get_data(as_text=True)
    response = _resubmit(operator_client, _held_token(page))
    assert response.status_code == 302
    campaign = db.session.execute(db.select(Campaign)).scalar_one()
    assert (campaign.source_filename, campaign.records) == ("clientes.csv", 1)


def test_the_kept_file_is_deleted_once_the_campaign_is_created(seeded, operator_client, operator_user):
    page = post_form(operator_client, FILE, "clientes.csv", operation="").get_data(as_text=True)
    token = _held_token(page)
    _resubmit(operator_client, token)
    assert held_upload.fetch(operator_user.id, token) is None


def test_another_users_token_finds_nothing(seeded, operator_client, operator_user, admin_user):
    page = post_form(operator_client, FILE, "clientes.csv", operation="").get_data(as_text=True)
    assert held_upload.fetch(admin_user.id, _held_token(page)) is None


def test_a_kept_file_expires_after_an_hour(seeded, operator_client, operator_user):
    page = post_form(operator_client, FILE, "clientes.csv", operation="").get_data(as_text=True)
    token = _held_token(page)
    held = held_upload.fetch(operator_user.id, token)
    old = time.time() - held_upload.KEEP_SECONDS - 1
    os.utime(held.path, (old, old))
    assert held_upload.fetch(operator_user.id, token) is None


def test_a_duplicate_is_confirmed_without_choosing_the_file_again(seeded, operator_client):
    post_form(operator_client, FILE, "clientes.csv", scheduled_at="2099-08-05T08:00")
    page = post_form(operator_client, FILE, "clientes.csv", scheduled_at="2099-08-05T08:00").get_data(as_text=True)
    assert 'id="duplicate-campaign"' in page
    response = _resubmit(operator_client, _held_token(page), allow_duplicate="1")
    assert response.status_code == 302
    assert db.session.execute(db.select(db.func.count(Campaign.id))).scalar_one() == 2
