"""The sending fixtures (SERVICO_1..4, CLARO bound to SERVICO_2) for the abuse tests.

The real SMTP server fixture, `smtp_server`, lives in tests/conftest.py.
"""
from tests.sending.conftest import claro_on_2, services  # noqa: F401
