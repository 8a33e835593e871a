"""Helpers for intake tests: sample files, uploads through the service, the form and the API."""
from __future__ import annotations

import io
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def samples_dir() -> Path:
    """The example spreadsheets operators were given (kept in the repository with the tests that read them)."""
    return REPO_ROOT / "tests" / "intake" / "samples"


def import_bytes(data: bytes, filename: str, operation="CLARO", campaign_type="CLARO FASE 1", scheduled_at=None,
                 user=None):
    from app.campaigns.scheduling import default_moment
    from app.intake.service import import_campaign, resolve_campaign_type, resolve_operation

    op = resolve_operation(operation)
    return import_campaign(operation=op, campaign_type=resolve_campaign_type(op, campaign_type),
                           scheduled_at=scheduled_at or default_moment(), stream=io.BytesIO(data),
                           filename=filename, user=user)


FUTURE_LOCAL = "05/08/2099 08:00"
FUTURE_ISO = "2099-08-05T08:00:00"


def post_api(client, headers, data: bytes, filename: str, operation="CLARO", campaign_type="CLARO FASE 1",
             scheduled_at=FUTURE_ISO):
    form = {"operation": operation, "campaign_type": campaign_type, "file": (io.BytesIO(data), filename)}
    if scheduled_at is not None:
        form["scheduled_at"] = scheduled_at
    return client.post("/api/v1/campaigns", data=form, headers=headers, content_type="multipart/form-data")


def campaign_type_id(name: str) -> int:
    from app.extensions import db
    from app.models import CampaignType

    return db.session.execute(db.select(CampaignType.id).where(CampaignType.name == name)).scalar_one()


def post_form(client, data: bytes, filename: str, operation="CLARO", campaign_type="CLARO FASE 1",
              scheduled_at=FUTURE_LOCAL):
    from tests.helpers.web import csrf_from

    page = client.get("/admin/campanhas/nova/")
    token = csrf_from(page.get_data(as_text=True))
    form = {"csrf_token": token, "operation": operation, "campaign_type": str(campaign_type_id(campaign_type)),
            "scheduled_at": scheduled_at, "file": (io.BytesIO(data), filename)}
    return client.post("/admin/campanhas/nova/", data=form, content_type="multipart/form-data")


def campaign_id_from_redirect(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def stored_campaign(campaign_id: int) -> dict:
    """What an import left in the database, in a comparable shape."""
    from app.extensions import db
    from app.models import Campaign, CampaignClient, ImportIssue

    campaign = db.session.get(Campaign, campaign_id)
    clients = db.session.execute(db.select(CampaignClient).where(CampaignClient.campaign_id == campaign_id)
                                 .order_by(CampaignClient.line)).scalars()
    issues = db.session.execute(db.select(ImportIssue).where(ImportIssue.campaign_id == campaign_id)
                                .order_by(ImportIssue.kind, ImportIssue.line, ImportIssue.id)).scalars()
    return {
        "records": campaign.records,
        "emails_total": campaign.emails_total,
        "lines_rejected": campaign.lines_rejected,
        "clients": [{"cpf": c.cpf, "line": c.line, "chunk_seq": c.chunk_seq, "emails": c.email_list} for c in clients],
        "issues": [{"kind": i.kind, "line": i.line, "column": i.column, "value": i.value, "reason": i.reason}
                   for i in issues],
    }


def campaign_count() -> int:
    from app.extensions import db
    from app.models import Campaign, CampaignClient

    return db.session.execute(db.select(db.func.count(Campaign.id))).scalar_one() + \
        db.session.execute(db.select(db.func.count(CampaignClient.id))).scalar_one()
