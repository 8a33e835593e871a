"""Boleto PDFs: the provider's pdf_url fetched with the operation's token, or rendered by Preventivo."""
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import update

from app.boletos.pdf import barcode_from_line, format_line
from app.campaigns import sending
from app.extensions import db
from app.mailer.pdfs import PdfSource
from app.mailer.templates import BoletoData
from app.models import Boleto
from tests.helpers.pdf_reading import read_pdf
from tests.helpers.sending_factories import LINE, make_sending_campaign, operation

PROVIDER_PDF = b"%PDF-1.4\n% provider's own boleto\n%%EOF\n"


@pytest.fixture
def provider():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != "Bearer token-claro":
                self.send_response(401)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(PROVIDER_PDF)))
            self.end_headers()
            self.wfile.write(PROVIDER_PDF)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen
    yield server
    server.shutdown()
    server.server_close()


def _attachments(smtp_server):
    return [p.get_content() for m in smtp_server.received for p in m.parsed().iter_attachments()]


def test_the_providers_pdf_is_fetched_with_the_operations_token(claro_on_2, smtp_server, provider):
    op = operation("CLARO")
    op.provider_url = f"http://127.0.0.1:{provider.server_port}"
    op.set_provider_token("token-claro")
    db.session.commit()
    campaign = make_sending_campaign(clients=1, emails_per_client=2, pdf_url="/v1/boletos/BL-1.pdf")

    sending.send_batch(campaign.id)

    assert _attachments(smtp_server) == [PROVIDER_PDF, PROVIDER_PDF]
    assert provider.seen == [("/v1/boletos/BL-1.pdf", "Bearer token-claro")]  # once per boleto, not per address


def test_a_refused_pdf_url_falls_back_to_our_own_rendering(claro_on_2, smtp_server, provider):
    op = operation("CLARO")
    op.provider_url = f"http://127.0.0.1:{provider.server_port}"
    op.set_provider_token("wrong-token")
    db.session.commit()

    sending.send_batch(make_sending_campaign(clients=1, pdf_url="/v1/boletos/BL-1.pdf").id)

    (pdf,) = _attachments(smtp_server)
    assert pdf.startswith(b"%PDF") and pdf != PROVIDER_PDF


def test_a_drawn_boleto_carries_the_payer_and_the_creditors_print_fields(claro_on_2, smtp_server):
    campaign = make_sending_campaign(clients=1)
    db.session.execute(update(Boleto).where(Boleto.campaign_id == campaign.id).values(
        nosso_numero="14000000012345678", beneficiary_name="OPERADORA EXEMPLO S.A.", beneficiary_cnpj="11222333000181"))
    db.session.commit()

    sending.send_batch(campaign.id)

    (pdf,) = _attachments(smtp_server)
    text = " ".join(read_pdf(pdf).text.split())
    assert "Cliente 0 — CPF 000.000.000-00" in text and "14000000012345678" in text
    assert "OPERADORA EXEMPLO S.A. — CNPJ 11.222.333/0001-81" in text


def test_the_operations_legal_name_is_the_beneficiary_when_the_creditor_sends_none():
    source = PdfSource("Claro", beneficiary=("CLARO S.A.", "11444777000161"))
    with_own = BoletoData(None, "AC-1", 1, 1, Decimal("10.00"), date(2026, 8, 5), LINE, beneficiary_name="OUTRA S.A.")

    fallback = " ".join(read_pdf(source.pdf_bytes(replace(with_own, beneficiary_name=None))).text.split())
    own = " ".join(read_pdf(source.pdf_bytes(with_own)).text.split())

    assert "CLARO S.A. — CNPJ 11.444.777/0001-61" in fallback
    assert "OUTRA S.A." in own and "CLARO S.A." not in own


def test_the_barcode_is_derived_from_a_bank_or_collection_line():
    assert barcode_from_line("00190500954014481606906809350314337370000000100") == "00193373700000001000500940144816060680935031"
    assert barcode_from_line("836200000005667800481000180975657313001589636081") == "83620000000667800481001809756573100158963608"
    assert format_line("836200000005667800481000180975657313001589636081") == "83620000000-5 66780048100-0 18097565731-3 00158963608-1"
