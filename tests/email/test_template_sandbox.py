"""Admins' templates are sandboxed and bounded: a hostile or runaway template is refused on save, in pt-BR."""
import time

import pytest

from app.extensions import db
from app.mailer.templates import check_template
from app.models import CampaignType
from tests.helpers.web import csrf_from

HOSTILE = {
    "python internals": "{{ ''.__class__ }}",
    "python internals deeper": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "loop bomb": "{% for i in range(10**6) %}{% for j in range(10**6) %}x{% endfor %}{% endfor %}",
    "silent loop bomb": "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    "list loop bomb": "{% set l = [1] * 9999 %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
    "memory bomb": "{{ 'x' * 10**9 }}",
    "padding bomb": "{{ 'x' | center(999999999) }}",
    "format bomb": "{{ '{:>999999999}'.format(1) }}",
    "power bomb": "{{ 9 ** 9 ** 9 }}",
    "self-calling macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "fanning recursive loop": "{% for x in [0] recursive %}{% if x < 40 %}{{ loop([x + 1, x + 1]) }}{% endif %}"
                              "{% endfor %}",
    "fanning macro": "{% macro m(d) %}{% if d < 40 %}{{ m(d + 1) }}{{ m(d + 1) }}{% endif %}{% endmacro %}{{ m(0) }}",
    "growing replace": "{{ ('x' * 10000) | replace('x', 'x' * 10000) | replace('x', 'x' * 10000) }}",
    "growing method": "{{ ('x' * 10000).replace('x', 'x' * 10000).replace('x', 'x' * 10000) }}",
    "doubling namespace": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                          "{% endfor %}{{ ns.s|length }}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_quickly_with_a_reason(source):
    started = time.monotonic()

    problem = check_template("html", source)

    assert problem and problem.startswith(("Modelo recusado", "Erro no modelo", "Erro ao montar"))
    assert time.monotonic() - started < 5


def test_an_ordinary_edited_template_passes():
    assert check_template("text", "Olá, {{ nome }}! {% for b in boletos %}{{ b.linha_digitavel }} {% endfor %}") is None


def _edit(admin_client, ctype, **changes):
    url = f"/admin/tipos-de-campanha/edit/?id={ctype.id}"
    form = {"csrf_token": csrf_from(admin_client.get(url).get_data(as_text=True)), "operation": str(ctype.operation_id),
            "name": ctype.name, "day_offsets": ctype.day_offsets, "subject_template": ctype.subject_template,
            "body_html_template": ctype.body_html_template, "body_text_template": ctype.body_text_template,
            "active": "y", **changes}
    return admin_client.post(url, data=form, follow_redirects=True).get_data(as_text=True)


def _first_type():
    return db.session.execute(db.select(CampaignType).order_by(CampaignType.id)).scalars().first()


def test_saving_a_template_that_reaches_for_python_internals_is_refused(seeded, admin_client):
    ctype = _first_type()
    before = ctype.body_html_template

    page = _edit(admin_client, ctype, body_html_template="<p>{{ ''.__class__ }}</p>")

    assert "Modelo recusado: acesso não permitido no modelo" in page
    db.session.expire_all()
    assert _first_type().body_html_template == before


def test_saving_a_loop_bomb_is_refused(seeded, admin_client):
    ctype = _first_type()
    bomb = "{% for i in range(10**6) %}{% for j in range(10**6) %}x{% endfor %}{% endfor %}"

    page = _edit(admin_client, ctype, body_text_template=bomb)

    assert "Modelo recusado: número grande demais no modelo" in page
    db.session.expire_all()
    assert _first_type().body_text_template != bomb


def test_saving_a_sound_subject_is_accepted(seeded, admin_client):
    ctype = _first_type()

    _edit(admin_client, ctype, subject_template="{{ operacao }}: lembrete para {{ nome }}")

    db.session.expire_all()
    assert _first_type().subject_template == "{{ operacao }}: lembrete para {{ nome }}"


def test_a_blank_template_is_edited_from_the_default_text(seeded, admin_client):
    ctype = _first_type()
    ctype.subject_template = ""
    db.session.commit()

    page = admin_client.get(f"/admin/tipos-de-campanha/edit/?id={ctype.id}").get_data(as_text=True)

    assert "seu boleto vence em {{ vencimentos }}" in page
