"""'Listar Campanhas': date edges in TIMEZONE, pagination, search, sorting, totals, query count."""
import re
from datetime import datetime, timedelta

from sqlalchemy import event

from app.extensions import db
from app.models.campaigns import SENDING
from app.timeutil import localize, now_utc
from tests.helpers.factories import make_user
from tests.helpers.report_factories import make_campaign


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-campaign-id="(\d+)"', html)]


def local(y, m, d, hh=0, mm=0, ss=0):
    return localize(datetime(y, m, d, hh, mm, ss))


def test_date_filter_keeps_the_whole_local_day_and_nothing_more(seeded, operator_client):
    before = make_campaign(local(2026, 3, 9, 23, 59, 59))
    first = make_campaign(local(2026, 3, 10, 0, 0, 0))  # 03:00 UTC in São Paulo
    last = make_campaign(local(2026, 3, 10, 23, 59, 59))  # 02:59 UTC the next day
    after = make_campaign(local(2026, 3, 11, 0, 0, 0))
    html = operator_client.get("/admin/campanhas/?data_inicial=2026-03-10&data_final=10/03/2026").get_data(as_text=True)
    assert sorted(listed_ids(html)) == [first.id, last.id]
    assert before.id not in listed_ids(html) and after.id not in listed_ids(html)


def test_default_period_is_the_last_seven_days_and_the_next_seven(seeded, operator_client):
    inside = [make_campaign(now_utc() - timedelta(days=6)), make_campaign(now_utc() + timedelta(days=6))]
    make_campaign(now_utc() - timedelta(days=9))
    make_campaign(now_utc() + timedelta(days=9))
    html = operator_client.get("/admin/campanhas/").get_data(as_text=True)
    assert sorted(listed_ids(html)) == sorted(c.id for c in inside)


def test_pagination_footer_and_last_page(seeded, operator_client):
    campaigns = [make_campaign(now_utc() + timedelta(minutes=i)) for i in range(12)]
    html = operator_client.get("/admin/campanhas/?por_pagina=5&pagina=3&ordem=data&direcao=asc").get_data(as_text=True)
    assert "11 ao 12 de 12 registros" in html
    assert listed_ids(html) == [campaigns[10].id, campaigns[11].id]


def test_search_by_creator_email_type_name_and_id(seeded, operator_client):
    maria = make_user("maria@preventivo.test", "operator")
    by_maria = make_campaign(created_by=maria)
    net = make_campaign(op_code="NET")
    other = make_campaign()
    assert listed_ids(operator_client.get("/admin/campanhas/?busca=MARIA@").get_data(as_text=True)) == [by_maria.id]
    assert listed_ids(operator_client.get("/admin/campanhas/?busca=net fase").get_data(as_text=True)) == [net.id]
    assert listed_ids(operator_client.get(f"/admin/campanhas/?busca=%23{other.id}").get_data(as_text=True)) == [other.id]


def test_sort_by_records_and_period_totals(seeded, operator_client):
    small = make_campaign(records=5, agreements=2, emails_sent=3)
    big = make_campaign(records=50, agreements=20, emails_sent=30)
    html = operator_client.get("/admin/campanhas/?ordem=registros&direcao=desc").get_data(as_text=True)
    assert listed_ids(html) == [big.id, small.id]
    assert 'data-total="records">55<' in html and 'data-total="emails_sent">33<' in html


def test_bad_dates_get_a_portuguese_message_not_an_error(seeded, operator_client):
    response = operator_client.get("/admin/campanhas/?data_inicial=31/02/2026&data_final=ontem")
    assert response.status_code == 200
    assert "Data Inicial inválida" in response.get_data(as_text=True)


def test_running_row_has_a_progress_bar(seeded, operator_client):
    make_campaign(status=SENDING, emails_sent=30, emails_failed=10, emails_pending=60)
    html = operator_client.get("/admin/campanhas/").get_data(as_text=True)
    assert 'data-running="1"' in html and 'aria-valuenow="40"' in html and "Enviando" in html


def count_statements(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_list_query_count_does_not_grow_with_rows(seeded, operator_client):
    url = "/admin/campanhas/?por_pagina=100"
    for i in range(2):
        make_campaign(now_utc() + timedelta(minutes=i), status=SENDING)
    few = count_statements(operator_client, url)
    for i in range(30):
        make_campaign(now_utc() + timedelta(minutes=10 + i), status=SENDING if i % 2 else "completed")
    many = count_statements(operator_client, url)
    assert many == few


def test_dates_at_the_ends_of_the_calendar_get_a_message_not_an_error(seeded, operator_client):
    # 31/12/9999 plus the one day the period's upper bound adds would overflow.
    response = operator_client.get("/admin/campanhas/?data_inicial=01/01/0001&data_final=31/12/9999")
    assert response.status_code == 200
    assert "Data Inicial inválida" in response.get_data(as_text=True) and "Data Final inválida" in response.get_data(as_text=True)
