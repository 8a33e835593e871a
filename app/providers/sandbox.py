"""The sandbox provider: a real HTTP service speaking the contract, deterministic per CPF.

For each CPF a seeded generator decides (always the same answer for the same
CPF and reference day): about one CPF in eight has no agreement (404); the
others have one to three agreements whose installments fall around the
reference day (default: today in TIMEZONE) — on D-1, D, D+7, D+8, D+14, D+30
and earlier, paid ones in the past, some cancelled — with valid bank (47)
or collection (48) lines, and a few with a PIX payload (a well-formed BR Code)
or a `pdf_url` serving a PDF; most carry the optional print fields (nosso
número, documento, instruções, beneficiário; `print_fields`). Latency and a failure rate (500s at random) are settable.
"""
from __future__ import annotations

import hashlib
import random
import re
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from stdnum.br import cnpj

from app.boletos.lines import (
    bank_barcode_to_line,
    build_bank_barcode,
    build_collection_barcode,
    collection_barcode_to_line,
    mod10,
)
from app.providers.server import ProviderServer, json_response

_AGREEMENTS = re.compile(r"^/v1/clientes/(\d{11})/acordos/?$")
_PDF = re.compile(r"^/v1/boletos/([A-Za-z0-9-]+)\.pdf$")
BANKS = ("001", "237", "341", "033", "104")
DAY_OFFSETS = (-30, -1, 0, 0, 7, 7, 8, 14, 30)


def _rng(cpf: str, today: date) -> random.Random:
    seed = hashlib.sha256(f"{cpf}:{today.isoformat()}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def has_agreements(cpf: str) -> bool:
    """Same for every day: one CPF in eight is unknown to the creditor."""
    return hashlib.sha256(cpf.encode()).digest()[0] % 8 != 0


def sandbox_answer(cpf: str, today: date) -> dict | None:
    """The contract's JSON for a CPF, or None for 404."""
    if not has_agreements(cpf):
        return None
    rng = _rng(cpf, today)
    acordos = []
    for a in range(rng.randint(1, 3)):
        agreement_id = f"AC-{cpf[-6:]}-{a + 1}"
        count = rng.randint(1, 4)
        start = rng.choice(DAY_OFFSETS)
        parcelas = []
        for n in range(count):
            offset = start + 30 * n - 30 * rng.randint(0, 1)
            due = today + timedelta(days=offset)
            amount = Decimal(rng.randint(2500, 95000)) / 100
            roll = rng.random()
            status = "paga" if (offset < 0 and roll < 0.8) else ("cancelada" if roll > 0.93 else "aberta")
            boleto_id = f"BL-{cpf[-6:]}-{a + 1}-{n + 1:02d}"
            digits = "".join(str(rng.randint(0, 9)) for _ in range(29))
            if rng.random() < 0.15:
                barcode = build_collection_barcode(rng.choice("1235"), rng.choice("68"), amount, digits)
                line = collection_barcode_to_line(barcode)
            else:
                barcode = build_bank_barcode(rng.choice(BANKS), amount, due, digits[:25])
                line = bank_barcode_to_line(barcode)
            parcela = {
                "id": boleto_id, "numero": n + 1, "total_parcelas": count, "valor": f"{amount:.2f}",
                "vencimento": due.isoformat(), "status": status, "linha_digitavel": line, "codigo_barras": barcode,
            }
            if rng.random() < 0.2:
                parcela["pix_copia_cola"] = pix_payload(boleto_id, amount)
            parcela.update(print_fields(boleto_id, due, today, collection=line.startswith("8"), free=digits))
            if rng.random() < 0.15:
                parcela["pdf_url"] = f"/v1/boletos/{boleto_id}.pdf"
            parcelas.append(parcela)
        acordos.append({"id": agreement_id, "parcelas": parcelas})
    return {"cpf": cpf, "nome": f"CLIENTE SANDBOX {cpf[-4:]}", "acordos": acordos}


SANDBOX_BENEFICIARY = "OPERADORA SANDBOX S.A."
SANDBOX_INSTRUCTIONS = (
    "Não receber após 30 dias do vencimento.",
    "Após o vencimento, multa de 2% e juros de 1% ao mês.",
    "Boleto do acordo: em caso de dúvida, fale com a central de atendimento.",
)


def print_fields(boleto_id: str, due: date, today: date, *, collection: bool, free: str) -> dict:
    """The contract's optional print fields, plausible and deterministic per boleto.

    A generator of its own (seeded by the boleto id) so that adding them changes none of the other values
    a CPF gets. About one boleto in eight sends none (its drawn PDF shows the boxes blank), and a
    collection (48-digit) slip sends no bank fields (nosso número, agência/código).
    """
    rng = random.Random(int.from_bytes(hashlib.sha256(boleto_id.encode()).digest()[:8], "big"))
    if rng.random() < 0.125:
        return {}
    root = f"{rng.randint(10_000_000, 99_999_999)}0001"
    fields = {
        "numero_documento": boleto_id.removeprefix("BL-"),
        "data_documento": (min(today, due) - timedelta(days=rng.randint(5, 40))).isoformat(),
        "instrucoes": list(SANDBOX_INSTRUCTIONS[:rng.randint(1, len(SANDBOX_INSTRUCTIONS))]),
        "beneficiario": {
            "nome": SANDBOX_BENEFICIARY,
            "cnpj": root + cnpj.calc_check_digits(root),
            "endereco": "Rua do Exemplo, 100 - São Paulo/SP",
        },
    }
    if not collection:
        agency, account = rng.randint(1, 9999), rng.randint(1, 9_999_999)
        fields["nosso_numero"] = free[8:25]
        fields["beneficiario"]["agencia_codigo"] = (f"{agency:04d}-{mod10(f'{agency:04d}')} / "
                                                    f"{account:07d}-{mod10(f'{account:07d}')}")
    return fields


def _crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE, the BR Code's last field."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _emv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def pix_payload(boleto_id: str, amount: Decimal) -> str:
    """A well-formed static PIX BR Code (EMV fields, CRC16) for a fictitious key: a real bank app reads it."""
    account = _emv("00", "br.gov.bcb.pix") + _emv("01", f"{boleto_id.lower()}@sandbox.preventivo.local")
    body = (_emv("00", "01") + _emv("26", account) + _emv("52", "0000") + _emv("53", "986")
            + _emv("54", f"{amount:.2f}") + _emv("58", "BR") + _emv("59", "OPERADORA SANDBOX")
            + _emv("60", "SAO PAULO") + _emv("62", _emv("05", boleto_id.replace("-", "")[:25])) + "6304")
    return body + _crc16(body.encode("ascii"))


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (valid structure, computed xref)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Sandbox:
    """The sandbox's behaviour; `responder` plugs into ProviderServer."""

    def __init__(self, latency: float = 0.0, failure_rate: float = 0.0, token: str | None = None,
                 today: date | None = None, today_fn=None):
        self.latency = latency
        self.failure_rate = failure_rate
        self.token = token
        self._today = today
        self._today_fn = today_fn
        self._random = random.Random()

    def today(self) -> date:
        if self._today:
            return self._today
        if self._today_fn:
            return self._today_fn()
        # Outside the app (benchmarks, scripts): TIMEZONE read from the environment by config.py's own
        # rule. The machine's date is UTC's, a day ahead of São Paulo from 21:00 on, when the campaign
        # day D would match none of the sandbox's due dates.
        from config import timezone_name

        return datetime.now(ZoneInfo(timezone_name())).date()

    def responder(self, method: str, path: str, headers: dict):
        if self.latency:
            time.sleep(self.latency)
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return json_response(401, {"erro": "token inválido"})
        if self.failure_rate and self._random.random() < self.failure_rate:
            return json_response(500, {"erro": "falha simulada"})
        match = _AGREEMENTS.match(path.split("?")[0])
        if match:
            answer = sandbox_answer(match.group(1), self.today())
            if answer is None:
                return json_response(404, {"erro": "cliente sem acordo"})
            return json_response(200, answer)
        match = _PDF.match(path.split("?")[0])
        if match:
            return 200, {"Content-Type": "application/pdf"}, minimal_pdf(f"Boleto {match.group(1)} (sandbox)")
        return json_response(404, {"erro": "rota desconhecida"})


def make_sandbox_server(host: str = "127.0.0.1", port: int = 0, **options) -> ProviderServer:
    sandbox = Sandbox(**options)
    server = ProviderServer(sandbox.responder, host=host, port=port)
    server.sandbox = sandbox
    return server
