"""Branding an operation in the panel (admins): logo checked by opening it, colour, CNPJ, Reply-To; the seed."""
import io

import pytest
from PIL import Image
from stdnum.br import cnpj

from app.extensions import db
from app.models import Operation
from tests.helpers.sending_factories import operation
from tests.helpers.web import csrf_from


def _png(size=(120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#123456").save(buffer, format="PNG")
    return buffer.getvalue()


def _save(admin_client, code="NET", logo: tuple[bytes, str] | None = None, **fields):
    op = operation(code)
    url = f"/admin/operacoes/edit/?id={op.id}"
    form = {"csrf_token": csrf_from(admin_client.get(url).get_data(as_text=True)), "code": op.code, "name": op.name,
            "display_name": "NET", "brand_color": "#0A3A7A", "service_phone": "0800 000 0002",
            "service_site": "www.net.exemplo.com.br", "service_hours": "Todos os dias", "legal_name": "NET Exemplo",
            "cnpj": "11.222.333/0001-81", "reply_to": "", "active": "y", **fields}
    if logo is not None:
        form["logo_upload"] = (io.BytesIO(logo[0]), logo[1])
    page = admin_client.post(url, data=form, content_type="multipart/form-data", follow_redirects=True)
    db.session.expire_all()
    return page.get_data(as_text=True)


def test_an_admin_brands_an_operation(seeded, admin_client):
    logo = _png()

    _save(admin_client, logo=(logo, "logo.png"), reply_to="fale@net.exemplo.com.br")

    op = operation("NET")
    assert (op.logo, op.logo_mime) == (logo, "image/png")
    assert (op.brand_color, op.cnpj, op.reply_to) == ("#0a3a7a", "11222333000181", "fale@net.exemplo.com.br")


def test_saving_without_a_file_keeps_the_logo(seeded, admin_client):
    before = operation("NET").logo

    _save(admin_client)

    assert operation("NET").logo == before and before


def test_a_file_that_is_not_an_image_is_refused(seeded, admin_client):
    before = operation("NET").logo

    page = _save(admin_client, logo=(b"\x89PNG\r\n\x1a\n" + b"not really" * 10, "logo.png"))

    assert "não é uma imagem PNG ou JPEG válida" in page and operation("NET").logo == before


def test_a_logo_over_the_size_limit_is_refused(seeded, admin_client):
    noise = Image.frombytes("RGB", (400, 400), bytes(range(256)) * 1875)
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)

    page = _save(admin_client, logo=(buffer.getvalue(), "grande.png"))

    assert "o limite é 200 KB" in page


def test_a_gif_is_refused(seeded, admin_client):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")

    assert "deve ser uma imagem PNG ou JPEG" in _save(admin_client, logo=(buffer.getvalue(), "logo.gif"))


@pytest.mark.parametrize("field, value, message", [
    ("brand_color", "vermelho", "Cor inválida: use o formato #rrggbb"),
    ("cnpj", "11.222.333/0001-82", "CNPJ inválido"),
    ("reply_to", "fale@@net", "Endereço de e-mail inválido"),
])
def test_bad_brand_values_are_refused_in_portuguese(seeded, admin_client, field, value, message):
    before = getattr(operation("NET"), field)

    page = _save(admin_client, **{field: value})

    assert message in page and getattr(operation("NET"), field) == before


def test_operators_cannot_edit_operations(seeded, operator_client):
    assert operator_client.get(f"/admin/operacoes/edit/?id={operation('NET').id}").status_code == 403


@pytest.mark.parametrize("code", ["CLARO", "NET", "SEMPARAR"])
def test_the_seed_brands_each_operation_with_placeholders(seeded, code):
    op = db.session.execute(db.select(Operation).filter_by(code=code)).scalar_one()

    assert op.display_name and op.service_phone and "exemplo" in op.legal_name and cnpj.is_valid(op.cnpj)
    assert Image.open(io.BytesIO(op.logo)).format == "PNG" and op.logo_mime == "image/png"


def test_the_operations_list_shows_each_logo_served_as_stored(seeded, admin_client):
    op = operation("CLARO")
    page = admin_client.get("/admin/operacoes/").get_data(as_text=True)
    assert f"/admin/operacoes/logotipo/{op.id}" in page

    response = admin_client.get(f"/admin/operacoes/logotipo/{op.id}")

    assert response.mimetype == "image/png" and response.data == op.logo
