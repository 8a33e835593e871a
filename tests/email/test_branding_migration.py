"""Migration 0009: campaign types still holding the old seeded email get the new default; edited ones are kept."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.foundation.test_migrations import BACKENDS, blank_app  # noqa: F401 (the fixture)

OLD_SUBJECT = "{{ operacao }}: seu boleto vence em {{ primeiro_vencimento }}"
OLD_HTML = "<p>Olá{% if nome %}, {{ nome }}{% endif %}!</p>\n<p>Este é um lembrete…</p>"
OLD_TEXT = "Olá{% if nome %}, {{ nome }}{% endif %}!\n\nEste é um lembrete…"


@pytest.mark.parametrize("blank_app", BACKENDS, indirect=True)
def test_the_old_default_email_becomes_the_new_default_and_edited_ones_stay(blank_app):
    from app.extensions import db

    upgrade(revision="0003")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO operations (id, code, name, active, rotate_when_throttled, created_at) "
                          "VALUES (1, 'CLARO', 'Claro', true, false, CURRENT_TIMESTAMP)"))
        for id_, subject in ((1, OLD_SUBJECT), (2, "Editado: {{ nome }}")):
            conn.execute(text("INSERT INTO campaign_types (id, operation_id, name, day_offsets, subject_template, "
                              "body_html_template, body_text_template, active, created_at) VALUES (:id, 1, :name, "
                              "'0,7', :subject, :html, :text, true, CURRENT_TIMESTAMP)"),
                         {"id": id_, "name": f"T{id_}", "subject": subject, "html": OLD_HTML, "text": OLD_TEXT})

    upgrade(revision="0009")

    with db.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, subject_template FROM campaign_types")).all())
    assert rows == {1: "", 2: "Editado: {{ nome }}"}
