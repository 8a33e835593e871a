"""The day rule at its edges: late and early local times, D-1..D+8, other offsets, DST history."""
from datetime import date, datetime, timezone

import pytest

from app.campaigns.selection import campaign_day, is_selected, selected_due_dates
from app.models import Boleto, CampaignClient
from tests.helpers.collection_factories import answer, make_campaign, parcela

SP = "America/Sao_Paulo"


@pytest.mark.parametrize("utc,day", [
    (datetime(2026, 11, 27, 2, 30, tzinfo=timezone.utc), date(2026, 11, 26)),  # 23:30 local, day before in UTC terms
    (datetime(2026, 11, 27, 3, 10, tzinfo=timezone.utc), date(2026, 11, 27)),  # 00:10 local
    # DST began 2018-11-04 00:00 -> 01:00: 23:59 on the 3rd (-03), 01:10 on the 4th (-02).
    (datetime(2018, 11, 4, 2, 59, tzinfo=timezone.utc), date(2018, 11, 3)),
    (datetime(2018, 11, 4, 3, 10, tzinfo=timezone.utc), date(2018, 11, 4)),
    # DST ended 2019-02-17 00:00 -> 2019-02-16 23:00: 23:30 happened twice, both on the 16th.
    (datetime(2019, 2, 17, 1, 30, tzinfo=timezone.utc), date(2019, 2, 16)),
    (datetime(2019, 2, 17, 2, 30, tzinfo=timezone.utc), date(2019, 2, 16)),
    (datetime(2019, 2, 17, 3, 10, tzinfo=timezone.utc), date(2019, 2, 17)),  # 00:10 after the change
    # Summer 2017/2018: 23:30 local is 01:30 UTC (UTC-2).
    (datetime(2018, 1, 16, 1, 30, tzinfo=timezone.utc), date(2018, 1, 15)),
])
def test_campaign_day_is_the_local_date_of_the_scheduled_moment(utc, day):
    assert campaign_day(utc, SP) == day


@pytest.mark.parametrize("offset,selected", [(-1, False), (0, True), (6, False), (7, True), (8, False)])
def test_default_offsets_select_d_and_d_plus_7_only(offset, selected):
    d = date(2019, 2, 16)
    due = date.fromordinal(d.toordinal() + offset)
    assert is_selected("aberta", True, due, selected_due_dates(d, [0, 7])) is selected


def test_other_offsets_select_their_days():
    dates = selected_due_dates(date(2026, 2, 27), [3, 10])
    assert dates == {date(2026, 3, 2), date(2026, 3, 9)}


@pytest.mark.parametrize("status,valid", [("paga", True), ("cancelada", True), ("aberta", False)])
def test_paid_cancelled_and_invalid_are_never_selected(status, valid):
    assert not is_selected(status, valid, date(2026, 1, 1), selected_due_dates(date(2026, 1, 1), [0]))


def test_collection_selects_by_the_local_day_of_a_campaign_at_23_30(seeded, provider):
    from app.campaigns.collection import collect_chunk
    from app.campaigns.collection_chunks import plan_chunks

    # 2018-11-03 23:30 local (-03) is 2018-11-04 02:30 UTC: D is the 3rd, not the 4th.
    d = date(2018, 11, 3)
    cpf = "12345678909"
    provider.script[cpf] = [(200, answer(cpf, ("AC-1", [
        parcela(f"BL-{k}", date.fromordinal(d.toordinal() + k), amount="10.00") for k in (-1, 0, 1, 6, 7, 8)])))]
    campaign = make_campaign(provider.url, clients=[(cpf, ["a@x.com"])],
                             scheduled_at=datetime(2018, 11, 4, 2, 30, tzinfo=timezone.utc))
    assert campaign.campaign_day == d
    plan_chunks(campaign.id)
    collect_chunk(campaign.id, 0)
    picked = sorted(b.external_id for b in Boleto.query.filter_by(selected=True))
    assert picked == ["BL-0", "BL-7"]
    assert CampaignClient.query.one().outcome == "ready"
