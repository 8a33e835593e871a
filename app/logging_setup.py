"""Logs: one line per event, CPFs masked, secrets never formatted in.

LOG_LEVEL (config.py) sets the root level; the libraries that log every job, poll or
SMTP connection (CHATTY_LOGGERS) stay at WARNING unless LOG_LEVEL=DEBUG, so a quiet
installation prints the app's own lines: one per campaign event.

A filter masks anything shaped like a CPF in every record, so a careless
`log.info(client.cpf)` cannot leak personal data (LGPD).
"""
from __future__ import annotations

import logging
import sys

from rq import get_current_job

from app.security.masking import mask_cpfs_in_text


class MaskCPFFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            return True
        masked = mask_cpfs_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JobContextFilter(logging.Filter):
    """Adds the RQ job id (or '-') to every record, so a campaign's log lines can be followed across workers."""

    def filter(self, record: logging.LogRecord) -> bool:
        job_id = "-"
        try:

            job = get_current_job()
            if job is not None:
                job_id = job.id
        except Exception:
            pass
        record.job = job_id
        return True


def _install_masking_record_factory() -> None:
    """Mask CPFs when a record is made, so every handler sees it masked.

    A filter on our own handler only protects that handler, and only handlers
    after it when it mutates the record: a handler a platform or library puts
    first (an error tracker, RQ's own) would get the whole CPF.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "_preventivo_masks", False):
        return

    def factory(*args, **kwargs):
        record = current(*args, **kwargs)
        MaskCPFFilter().filter(record)
        return record

    factory._preventivo_masks = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# Libraries whose INFO lines are chatter for a person at the console (one per job, per SMTP
# connection, per scheduler poll): WARNING unless LOG_LEVEL=DEBUG.
CHATTY_LOGGERS = ("rq", "rq.worker", "rq.job", "rq.scheduler", "rq_scheduler", "mail.log", "werkzeug")


def library_level(level: str) -> str:
    """The level of the chatty libraries (RQ, aiosmtpd, gunicorn) for the app's LOG_LEVEL."""
    return "DEBUG" if level == "DEBUG" else ("WARNING" if level == "INFO" else level)


def configure_logging(app) -> None:
    _install_masking_record_factory()
    root = logging.getLogger()
    if not any(getattr(h, "_preventivo", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s job=%(job)s: %(message)s"))
        handler.addFilter(MaskCPFFilter())
        handler.addFilter(JobContextFilter())
        handler._preventivo = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    level = "DEBUG" if app.debug else app.config["LOG_LEVEL"]
    root.setLevel(level)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(library_level(level))
    # httpx logs every request URL, and our URLs carry CPFs: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
