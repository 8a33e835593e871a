"""Storing clients batch by batch (COPY on PostgreSQL, executemany on SQLite)."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.intake.parser import Draft
from app.intake.store import ClientWriter
from app.models import Campaign, CampaignClient
from app.timeutil import local_date, now_utc
from tests.intake.golden_cases import valid_cpf


def _campaign() -> Campaign:
    from app.models import CampaignType

    kind = db.session.execute(db.select(CampaignType).limit(1)).scalar_one()
    campaign = Campaign(operation_id=kind.operation_id, campaign_type_id=kind.id, scheduled_at=now_utc(),
                        campaign_day=local_date(now_utc()))
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _clients(campaign_id):
    return db.session.execute(db.select(CampaignClient).where(CampaignClient.campaign_id == campaign_id)
                              .order_by(CampaignClient.line)).scalars().all()


def test_a_cpf_repeated_in_a_later_batch_merges_into_its_first_line(seeded):
    campaign = _campaign()
    a, b = valid_cpf("529982247"), valid_cpf("036855092")
    with ClientWriter(db.session.connection(), campaign.id) as writer:
        writer.write({a: Draft(2, ["a1@x.com"]), b: Draft(3, ["b@x.com"])})
        writer.write({a: Draft(9, ["a2@x.com", "a1@x.com"])})
        writer.write({b: Draft(12, ["b@x.com"])})
    db.session.commit()
    assert [(c.cpf, c.line, c.email_list) for c in _clients(campaign.id)] == [
        (a, 2, ["a1@x.com", "a2@x.com"]), (b, 3, ["b@x.com"])]
    assert (writer.clients, writer.emails) == (2, 3)


def test_more_than_10_emails_across_batches_keeps_10_and_warns_once(seeded):
    campaign = _campaign()
    a = valid_cpf("529982247")
    with ClientWriter(db.session.connection(), campaign.id) as writer:
        writer.write({a: Draft(2, [f"e{n}@x.com" for n in range(8)])})
        writer.write({a: Draft(20, [f"e{n}@x.com" for n in range(8, 12)])})
        writer.write({a: Draft(30, ["e99@x.com"])})
    db.session.commit()
    assert _clients(campaign.id)[0].email_list == [f"e{n}@x.com" for n in range(10)]
    assert writer.emails == 10 and len(writer.warnings) == 1 and writer.warnings[0].line == 2


def test_chunk_seq_groups_clients_by_200_in_file_order(seeded):
    campaign = _campaign()
    cpfs = [valid_cpf(f"{100000000 + n * 37:09d}") for n in range(450)]
    with ClientWriter(db.session.connection(), campaign.id) as writer:
        for start in range(0, 450, 100):
            writer.write({cpf: Draft(start + i + 2, ["c@x.com"]) for i, cpf in enumerate(cpfs[start:start + 100])})
    db.session.commit()
    seqs = [c.chunk_seq for c in _clients(campaign.id)]
    assert (seqs.count(0), seqs.count(1), seqs.count(2), seqs[199], seqs[200]) == (200, 200, 50, 0, 1)


def test_a_failure_mid_import_stores_no_client(seeded):
    campaign = _campaign()
    campaign_id = campaign.id
    db.session.commit()
    with pytest.raises(RuntimeError):
        with ClientWriter(db.session.connection(), campaign_id) as writer:
            writer.write({valid_cpf("529982247"): Draft(2, ["a@x.com"])})
            raise RuntimeError("disk full")
    db.session.rollback()
    assert _clients(campaign_id) == []
