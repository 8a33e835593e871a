"""Logs never carry a whole CPF."""
import logging

from app.logging_setup import MaskCPFFilter


def test_cpfs_are_masked_in_log_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "cliente %s falhou (%s)", ("52998224725", "529.982.247-25"), None)
    MaskCPFFilter().filter(record)
    message = record.getMessage()
    assert "52998224725" not in message and "529.982.247-25" not in message
    assert "***.982.247-**" in message
