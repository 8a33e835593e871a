"""LGPD: personal data of old finished campaigns is deleted; counters stay."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.campaigns.retention import purge_expired
from app.extensions import db
from app.models import Agreement, Boleto, Campaign, CampaignClient, Delivery
from app.timeutil import now_utc
from tests.helpers.factories import make_campaign

CPF = "52998224725"


def campaign_with_data(status, days_ago):
    campaign = make_campaign(status=status, scheduled_at=now_utc() - timedelta(days=days_ago), records=1, emails_sent=1)
    client = CampaignClient(campaign_id=campaign.id, cpf=CPF, emails="ana@exemplo.com.br", name="ANA", outcome="ready")
    db.session.add(client)
    db.session.flush()
    agreement = Agreement(campaign_id=campaign.id, client_id=client.id, external_id="AC-1")
    db.session.add(agreement)
    db.session.flush()
    db.session.add(Boleto(campaign_id=campaign.id, client_id=client.id, agreement_id=agreement.id, external_id="BL-1",
                          amount=Decimal("10.00"), due_date=date.today(), status="aberta", line="1" * 47))
    db.session.add(Delivery(campaign_id=campaign.id, client_id=client.id, email="ana@exemplo.com.br", status="sent"))
    db.session.commit()
    return campaign


@pytest.fixture
def old_campaign(seeded):
    return campaign_with_data("completed", days_ago=181)


def test_old_finished_campaign_loses_its_personal_data(old_campaign):
    assert purge_expired() == [old_campaign.id]
    client = db.session.execute(db.select(CampaignClient)).scalar_one()
    assert (client.cpf, client.emails, client.name) == (None, "", None)
    assert db.session.execute(db.select(Delivery.email)).scalar_one() is None
    assert db.session.execute(db.select(db.func.count(Boleto.id))).scalar_one() == 0
    assert db.session.execute(db.select(db.func.count(Agreement.id))).scalar_one() == 0


def test_counters_survive_the_purge(old_campaign):
    purge_expired()
    db.session.expire_all()
    campaign = db.session.get(Campaign, old_campaign.id)
    assert (campaign.records, campaign.emails_sent) == (1, 1)
    assert campaign.personal_data_purged_at is not None


def test_recent_campaigns_are_kept(seeded):
    campaign_with_data("completed", days_ago=10)
    assert purge_expired() == []


def test_unfinished_old_campaigns_are_kept(seeded):
    campaign_with_data("sending", days_ago=200)
    assert purge_expired() == []


def test_purge_command_takes_a_date(app, old_campaign):
    result = app.test_cli_runner().invoke(args=["purge", "--before", (date.today() - timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 campaigns" in result.output


def test_purge_command_refuses_a_bad_date(app):
    result = app.test_cli_runner().invoke(args=["purge", "--before", "31/12/2025"])
    assert result.exit_code != 0
