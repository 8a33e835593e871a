"""The lifecycle table, walked: every allowed move works, every other one is refused."""
from datetime import timedelta

import pytest

from app.campaigns import lifecycle
from app.extensions import db
from app.models import Campaign
from app.models.campaigns import CAMPAIGN_STATUSES
from app.timeutil import now_utc
from tests.helpers.factories import make_campaign

VERBS = {
    "schedule": lambda cid: lifecycle.schedule(cid, now_utc() + timedelta(days=2), (now_utc() + timedelta(days=2)).date()),
    "start": lifecycle.start,
    "collected": lifecycle.collected,
    "pause": lambda cid: lifecycle.pause(cid, "motivo"),
    "resume": lifecycle.resume,
    "complete": lifecycle.complete,
    "cancel": lifecycle.cancel,
    "fail": lambda cid: lifecycle.fail(cid, "motivo"),
    "reopen": lifecycle.reopen,
}


def test_every_verb_has_a_row_in_the_table():
    assert set(VERBS) == set(lifecycle.MOVES)


@pytest.mark.parametrize("verb", sorted(lifecycle.MOVES))
@pytest.mark.parametrize("status", CAMPAIGN_STATUSES)
def test_a_verb_moves_exactly_the_statuses_the_table_allows(seeded, verb, status):
    allowed_from, arrives_at = lifecycle.MOVES[verb]
    campaign = make_campaign("NET", status=status, scheduled_at=now_utc() - timedelta(minutes=1))

    moved = VERBS[verb](campaign.id)

    db.session.expire_all()
    after = db.session.get(Campaign, campaign.id).status
    if status in allowed_from:
        assert (moved, after) == (True, arrives_at)
    else:
        assert (moved, after) == (False, status)


def test_a_campaign_whose_moment_has_not_come_does_not_start(seeded):
    campaign = make_campaign("NET", status="scheduled", scheduled_at=now_utc() + timedelta(hours=1))
    assert lifecycle.start(campaign.id) is False


def test_a_move_made_once_is_not_made_twice(seeded):
    campaign = make_campaign("NET", status="sending")
    assert [lifecycle.pause(campaign.id, "x"), lifecycle.pause(campaign.id, "x")] == [True, False]
