"""The sending fixtures (real SMTP server, SERVICO_1..4, CLARO bound to SERVICO_2) for the abuse tests."""
from tests.sending.conftest import claro_on_2, services, smtp_server  # noqa: F401
