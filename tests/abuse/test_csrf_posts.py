"""Every POST page added by intake, reports and sending refuses a post without its CSRF token.

tests/foundation/test_csrf.py covers Flask-Admin's create, delete and list actions; these are the
custom buttons: cancel, reschedule, retry failures, binding change, connection tests, test sends.
"""
import pytest

from app.extensions import db
from app.models import Campaign, CampaignType, Delivery, Operation
from app.models.campaigns import SCHEDULED
from tests.helpers.factories import make_campaign, make_service
from tests.helpers.report_factories import campaign_with_every_outcome
from tests.helpers.sending_factories import bind


def _campaign_id(**_):
    return make_campaign("CLARO", status=SCHEDULED).id


POSTS = {
    "cancel (list/details)": ("/admin/campanhas/{campaign}/cancelar", {}),
    "cancel (import result)": ("/admin/campanhas/nova/{campaign}/cancelar", {}),
    "reschedule": ("/admin/campanhas/nova/{campaign}/reagendar", {"scheduled_at": "05/08/2099 09:00"}),
    "reschedule (details)": ("/admin/campanhas/{campaign}/alterar-data", {"scheduled_at": "2099-08-05T09:00"}),
    "retry failures": ("/admin/campanhas/{finished}/reenviar-falhas", {}),
    "binding update": ("/admin/servico-de-envio/atualizar", {"operation_id": "{operation}", "service_id": "{service}",
                                                             "sender_email": "outro@claro.exemplo.com.br"}),
    "provider connection test": ("/admin/operacoes/testar-conexao/{operation}", {}),
    "service connection test": ("/admin/servicos/testar/{service}", {}),
    "service test send": ("/admin/servicos/enviar-teste/{service}", {}),
    "template test send": ("/admin/tipos-de-campanha/previa/{ctype}/enviar", {"email": "eu@exemplo.com.br"}),
    "new campaign upload": ("/admin/campanhas/nova/", {"operation": "CLARO"}),
}


@pytest.fixture
def rows(seeded):
    service = make_service("SERVICO_2")
    make_service("SERVICO_3")
    bind("CLARO", service)
    operation = db.session.execute(db.select(Operation).filter_by(code="CLARO")).scalar_one()
    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=operation.id)).scalars().first()
    return {"campaign": _campaign_id(), "finished": campaign_with_every_outcome().id, "operation": operation.id,
            "service": service.id, "ctype": ctype.id}


def _state():
    """Everything these buttons could change."""
    from app.models import AuditEvent, OperationBinding

    db.session.expire_all()
    return (
        sorted((c.id, c.status, c.scheduled_at.isoformat()) for c in db.session.execute(db.select(Campaign)).scalars()),
        sorted((d.id, d.status) for d in db.session.execute(db.select(Delivery)).scalars()),
        sorted((b.operation_id, b.sender_email, b.service_id)
               for b in db.session.execute(db.select(OperationBinding)).scalars()),
        db.session.query(AuditEvent).count(),
    )


@pytest.mark.parametrize("name", list(POSTS))
def test_post_without_csrf_token_is_refused_and_changes_nothing(admin_client, rows, name):
    path, form = POSTS[name]
    before = _state()
    response = admin_client.post(path.format(**rows), data={k: v.format(**rows) for k, v in form.items()})
    assert response.status_code == 400 and "proteção CSRF" in response.get_data(as_text=True)
    assert _state() == before


@pytest.mark.parametrize("name", list(POSTS))
def test_the_same_post_with_its_token_gets_past_csrf(admin_client, rows, name):
    """The route is real and reachable: with the token, the answer is not the CSRF refusal."""
    from tests.helpers.web import csrf_from

    path, form = POSTS[name]
    token = csrf_from(admin_client.get("/admin/campanhas/nova/").get_data(as_text=True))
    data = {k: v.format(**rows) for k, v in form.items()} | {"csrf_token": token}
    response = admin_client.post(path.format(**rows), data=data)
    assert "proteção CSRF" not in response.get_data(as_text=True)
