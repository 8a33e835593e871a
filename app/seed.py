"""Reference data (`flask seed`) and the demo installation (`flask seed --demo`). Idempotent."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

from app.extensions import db
from app.mailer.default_templates import DEFAULT_BODY_HTML, DEFAULT_BODY_TEXT, DEFAULT_SUBJECT
from app.models import CampaignType, EmailService, Operation, OperationBinding

OPERATIONS = [("CLARO", "Claro"), ("NET", "NET"), ("SEMPARAR", "Sem Parar")]
# Placeholder branding, to be replaced in the panel: the CNPJs are the well-known sample 11.222.333/0001-81
# and its siblings (valid check digits, nobody's), and the legal names say they are examples.
BRANDING = {
    "CLARO": {"display_name": "Claro", "brand_color": "#da291c", "service_phone": "0800 000 0001",
              "service_site": "www.claro.exemplo.com.br/atendimento", "service_hours": "Segunda a sábado, das 8h às 20h",
              "legal_name": "Claro (razão social de exemplo)", "cnpj": "11222333000181"},
    "NET": {"display_name": "NET", "brand_color": "#0a3a7a", "service_phone": "0800 000 0002",
            "service_site": "www.net.exemplo.com.br/atendimento", "service_hours": "Segunda a sábado, das 8h às 20h",
            "legal_name": "NET (razão social de exemplo)", "cnpj": "11222333000262"},
    "SEMPARAR": {"display_name": "Sem Parar", "brand_color": "#1b7f3b", "service_phone": "0800 000 0003",
                 "service_site": "www.semparar.exemplo.com.br/atendimento",
                 "service_hours": "Todos os dias, das 8h às 22h",
                 "legal_name": "Sem Parar (razão social de exemplo)", "cnpj": "11222333000343"},
}


def placeholder_logo(text: str, color: str) -> bytes:
    """A simple PNG: the name in white on the brand colour (a stand-in until the real logo is uploaded)."""
    image = Image.new("RGB", (240, 60), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((2, 2, 237, 57), outline="white", width=2)
    draw.text((16, 18), text.upper(), fill="white", font_size=22)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _brand(op: Operation) -> None:
    """Fill the placeholders of an operation that has no branding yet (never overwrites an admin's values)."""
    values = BRANDING.get(op.code)
    if not values or op.display_name or op.logo or op.cnpj:
        return
    for name, value in values.items():
        setattr(op, name, value)
    op.logo, op.logo_mime = placeholder_logo(values["display_name"], values["brand_color"]), "image/png"
CAMPAIGN_TYPES = [
    ("CLARO", "CLARO FASE 1"),
    ("CLARO", "CLARO TV FASE 1"),
    ("CLARO", "CLARO CPC"),
    ("NET", "NET FASE 1"),
    ("SEMPARAR", "SEM PARAR FASE 1"),
]
DEMO_SENDERS = {"CLARO": "boletos@claro.exemplo.com.br", "NET": "boletos@net.exemplo.com.br",
                "SEMPARAR": "boletos@semparar.exemplo.com.br"}
DEMO_SERVICE_COUNT = 6


def seed_reference_data() -> dict:
    created = {"operations": 0, "campaign_types": 0}
    operations = {}
    for code, name in OPERATIONS:
        op = db.session.execute(db.select(Operation).filter_by(code=code)).scalar_one_or_none()
        if op is None:
            op = Operation(code=code, name=name, active=True)
            db.session.add(op)
            created["operations"] += 1
        _brand(op)
        operations[code] = op
    db.session.flush()
    for code, name in CAMPAIGN_TYPES:
        exists = db.session.execute(
            db.select(CampaignType).filter_by(operation_id=operations[code].id, name=name)
        ).scalar_one_or_none()
        if exists is None:
            db.session.add(CampaignType(
                operation_id=operations[code].id, name=name, day_offsets="0,7",
                subject_template=DEFAULT_SUBJECT, body_html_template=DEFAULT_BODY_HTML,
                body_text_template=DEFAULT_BODY_TEXT, active=True,
            ))
            created["campaign_types"] += 1
    db.session.commit()
    return created


def seed_demo(mail_host: str = "127.0.0.1", mail_port: int = 1025, sandbox_url: str | None = None) -> dict:
    """Six services on the local mail catcher (SERVICO_1 kept out of rotation) and a binding per operation."""
    created = {"services": 0, "bindings": 0}
    services = {}
    for n in range(1, DEMO_SERVICE_COUNT + 1):
        name = f"SERVICO_{n}"
        service = db.session.execute(db.select(EmailService).filter_by(name=name)).scalar_one_or_none()
        if service is None:
            service = EmailService(
                name=name, host=mail_host, port=mail_port, security="none", username=name.lower(),
                monthly_quota=10_000, rotation_order=n, in_rotation=n != 1, active=True, allowed_senders="",
            )
            service.set_password(f"demo-{name.lower()}")
            db.session.add(service)
            created["services"] += 1
        services[n] = service
    db.session.flush()
    for code, _ in OPERATIONS:
        op = db.session.execute(db.select(Operation).filter_by(code=code)).scalar_one()
        if sandbox_url and not op.provider_url:
            op.provider_url = sandbox_url
            op.set_provider_token("sandbox-token")
        binding = db.session.execute(db.select(OperationBinding).filter_by(operation_id=op.id)).scalar_one_or_none()
        if binding is None:
            db.session.add(OperationBinding(operation_id=op.id, sender_email=DEMO_SENDERS[code], service_id=services[2].id))
            created["bindings"] += 1
    db.session.commit()
    return created
