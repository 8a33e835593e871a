"""Campaigns and clients for collection tests, and a scripted provider on a free port."""
from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.boletos.lines import bank_barcode_to_line, build_bank_barcode
from app.extensions import db
from app.models import Campaign, CampaignClient, CampaignType, Operation
from app.models.campaigns import COLLECTING
from app.providers.server import ProviderServer, json_response

TOKEN = "token-de-teste"


def make_campaign(provider_url: str | None, *, clients=(), operation_code: str = "CLARO",
                  scheduled_at: datetime | None = None, offsets: str = "0,7", status: str = COLLECTING,
                  token: str = TOKEN, chunk_size: int = 200, tz: str = "America/Sao_Paulo") -> Campaign:
    """A campaign of a seeded operation with `clients`: [(cpf, [emails])] (chunk_seq = index // chunk_size)."""
    from app.campaigns.selection import campaign_day

    op = db.session.execute(db.select(Operation).filter_by(code=operation_code)).scalar_one()
    op.provider_url = provider_url
    op.set_provider_token(token)
    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=op.id)).scalars().first()
    ctype.day_offsets = offsets
    scheduled_at = scheduled_at or datetime.now(timezone.utc)
    campaign = Campaign(operation_id=op.id, campaign_type_id=ctype.id, scheduled_at=scheduled_at,
                        campaign_day=campaign_day(scheduled_at, tz), status=status, records=len(clients),
                        source_filename="teste.xlsx")
    db.session.add(campaign)
    db.session.flush()
    for index, (cpf, emails) in enumerate(clients):
        db.session.add(CampaignClient(campaign_id=campaign.id, cpf=cpf, emails="\n".join(emails), line=index + 2,
                                      chunk_seq=index // chunk_size))
    db.session.commit()
    return campaign


def cpf_of(n: int) -> str:
    """A distinct 11-digit string per n (the provider does not check CPF digits)."""
    return f"{n:011d}"


def parcela(pid: str, due: date, status: str = "aberta", amount: str = "150.00", **extra) -> dict:
    barcode = build_bank_barcode("001", Decimal(amount), due, f"{abs(hash(pid)) % 10**25:025d}")
    item = {"id": pid, "numero": 1, "total_parcelas": 1, "valor": amount, "vencimento": due.isoformat(),
            "status": status, "linha_digitavel": bank_barcode_to_line(barcode), "codigo_barras": barcode}
    item.update(extra)
    return item


def answer(cpf: str, *agreements: tuple[str, list[dict]]) -> dict:
    return {"cpf": cpf, "nome": "MARIA DA SILVA", "acordos": [{"id": a, "parcelas": p} for a, p in agreements]}


class ScriptedProvider:
    """A real HTTP provider on a free port answering per CPF from a script.

    script[cpf] is a list of steps, consumed one per request (the last one
    repeats). A step is (status, body) or (status, body, headers) or
    ("sleep", seconds, step). Every request is recorded with its time.
    """

    def __init__(self, script: dict | None = None, token: str = TOKEN):
        self.script = dict(script or {})
        self.token = token
        self.calls: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self.server = ProviderServer(self._respond).start()

    @property
    def url(self) -> str:
        return self.server.url

    def calls_for(self, cpf: str) -> list[float]:
        return [t for t, path in self.calls if f"/{cpf}/" in path]

    def _respond(self, method, path, headers):
        with self._lock:
            self.calls.append((time.monotonic(), path))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return json_response(401, {"erro": "token inválido"})
        cpf = path.split("/")[3] if path.startswith("/v1/clientes/") else None
        steps = self.script.get(cpf)
        if not steps:
            return json_response(404, {"erro": "sem acordo"})
        with self._lock:
            index = self._served.get(cpf, 0)
            self._served[cpf] = index + 1
        step = steps[min(index, len(steps) - 1)]
        if step[0] == "sleep":
            time.sleep(step[1])
            step = step[2]
        status, body = step[0], step[1]
        headers_out = step[2] if len(step) > 2 else {}
        if isinstance(body, (dict, list)):
            return json_response(status, body, headers_out)
        return status, {"Content-Type": "text/html", **headers_out}, body.encode() if isinstance(body, str) else body

    def stop(self):
        self.server.stop()


def dumps(payload) -> str:
    return json.dumps(payload)


def due(days: int, base: date) -> date:
    return base + timedelta(days=days)
