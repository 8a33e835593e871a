"""A whole campaign run, logged at DEBUG, leaks no secret and no whole CPF.

Upload through the API (bearer token) -> start -> collection against the sandbox
provider over HTTP (bearer token) -> sending to the SMTP test server (AUTH with a
password) -> completed, with every job run in-process by an RQ SimpleWorker. Every
log record of every logger is captured twice: raw (what any handler a platform adds
would receive, put first) and through the app's own handler filters (what the app writes).
httpx and httpcore are turned up to DEBUG too (the app keeps httpx at WARNING because its
request lines carry the CPF in the URL): the masking must hold even then.
"""
import io
import logging
from datetime import datetime, timezone

import pytest
from rq import SimpleWorker

from app.extensions import db
from app.jobs import all_queues, get_redis
from app.logging_setup import JobContextFilter, MaskCPFFilter
from app.models import Campaign, CampaignClient
from app.models.campaigns import COMPLETED
from app.providers.sandbox import make_sandbox_server
from tests.helpers.apps import TEST_KEY
from tests.helpers.factories import make_service, token_for
from tests.helpers.intake import post_api
from tests.helpers.sending_factories import bind, operation

SECRET_KEY = "s3cr3t-key-for-the-log-test-9f2c"
PROVIDER_TOKEN = "provider-token-7d1e4b2a"
SMTP_PASSWORDS = {"SERVICO_1": "smtp-pass-internal-51c0", "SERVICO_2": "smtp-pass-rotation-a9e3"}


@pytest.fixture
def app_config():
    return {"SECRET_KEY": SECRET_KEY, "PROVIDER_TIMEOUT": 2.0, "PROVIDER_BACKOFF_INITIAL": 0.01,
            "PROVIDER_BACKOFF_MAX": 0.02, "PROVIDER_CONCURRENCY": 8}


class Capture(logging.Handler):
    def __init__(self, *filters):
        super().__init__(logging.DEBUG)
        self.stream = io.StringIO()
        for f in filters:
            self.addFilter(f)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record):
        self.stream.write(self.format(record) + "\n")

    @property
    def text(self) -> str:
        return self.stream.getvalue()


def _cpf(n: int) -> str:
    from stdnum.br import cpf

    base = f"{(n * 7_919 + 100_000_000) % 1_000_000_000:09d}"
    return base + cpf._calc_check_digits(base + "00")


@pytest.fixture
def captured():
    raw, masked = Capture(), Capture(MaskCPFFilter(), JobContextFilter())
    root = logging.getLogger()
    previous = root.level, {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "rq", "app")}
    root.setLevel(logging.DEBUG)
    for name in previous[1]:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.handlers.insert(0, raw)  # before the app's own handler: sees records as any first handler would
    root.addHandler(masked)
    yield raw, masked
    root.removeHandler(raw)
    root.removeHandler(masked)
    root.setLevel(previous[0])
    for name, level in previous[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.slow
def test_a_whole_campaign_logs_no_secret_and_no_whole_cpf(seeded, smtp_server, admin_user, captured):
    raw, masked = captured
    for name, password in SMTP_PASSWORDS.items():
        smtp_server.add_account(name.lower(), password)
        make_service(name, host=smtp_server.host, port=smtp_server.port, security="none", username=name.lower(),
                     password=password, in_rotation=name != "SERVICO_1")
    from app.models import EmailService

    bind("CLARO", db.session.execute(db.select(EmailService).filter_by(name="SERVICO_2")).scalar_one())
    sandbox = make_sandbox_server(token=PROVIDER_TOKEN).start()
    try:
        op = operation("CLARO")
        op.provider_url = sandbox.url
        op.set_provider_token(PROVIDER_TOKEN)
        db.session.commit()
        api_token = token_for(admin_user)
        cpfs = [_cpf(n) for n in range(40)]
        lines = ["CPF;Nome;EMAIL1"] + [f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]};Cliente {n};c{n}@exemplo.com.br"
                                       for n, c in enumerate(cpfs)]
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        response = post_api(_client(), {"Authorization": f"Bearer {api_token}"}, "\r\n".join(lines).encode(), "clientes.csv",
                            scheduled_at=now)
        assert response.status_code == 201, response.get_data(as_text=True)
        campaign_id = response.get_json()["id"]
        for _ in range(20):  # each burst runs what is queued; jobs chain the next stage
            SimpleWorker(all_queues(), connection=get_redis()).work(burst=True)
            db.session.expire_all()
            if db.session.get(Campaign, campaign_id).status == COMPLETED:
                break
    finally:
        sandbox.stop()

    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == COMPLETED and campaign.emails_sent > 0 and smtp_server.count() > 0
    stored = db.session.execute(db.select(CampaignClient.cpf).filter_by(campaign_id=campaign_id)).scalars().all()
    assert sorted(stored) == sorted(cpfs)
    secrets = [SECRET_KEY, PROVIDER_TOKEN, TEST_KEY, api_token, *SMTP_PASSWORDS.values()]
    for text, label in ((raw.text, "raw records"), (masked.text, "the app's handler")):
        assert raw.text, "nothing was logged: the capture is broken"
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"secrets in {label}: {leaked}"
    whole = [c for c in cpfs if c in masked.text or f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}" in masked.text]
    assert not whole, f"whole CPFs in the app's log: {whole[:3]}"
    raw_whole = [c for c in cpfs if c in raw.text or f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}" in raw.text]
    assert not raw_whole, f"whole CPFs reach log records before masking: {raw_whole[:3]}"


def _client():
    from flask import current_app

    return current_app.test_client()
