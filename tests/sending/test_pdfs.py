"""Boleto PDFs: the provider's pdf_url fetched with the operation's token, or rendered by Preventivo."""
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.boletos.pdf import BoletoPrint, barcode_from_line, format_line, render_boleto_pdf
from app.campaigns import sending
from app.extensions import db
from tests.helpers.sending_factories import make_sending_campaign, operation

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


def test_the_rendered_pdf_carries_line_amount_due_date_and_operation():
    pdf = render_boleto_pdf(BoletoPrint("Claro", "AC-9", 2, 6, Decimal("1234.56"), date(2026, 8, 5),
                                        "00190500954014481606906809350314337370000000100"))

    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    for text in (b"Claro", b"AC-9", b"1.234,56", b"05/08/2026", b"00190.50095 40144.816069 06809.350314 3 37370000000100"):
        assert text in pdf


def test_the_barcode_is_derived_from_a_bank_or_collection_line():
    assert barcode_from_line("00190500954014481606906809350314337370000000100") == "00193373700000001000500940144816060680935031"
    assert barcode_from_line("836200000005667800481000180975657313001589636081") == "83620000000667800481001809756573100158963608"
    assert format_line("836200000005667800481000180975657313001589636081") == "83620000000-5 66780048100-0 18097565731-3 00158963608-1"
