"""The SMS backends."""

import logging

from feedback.sms import (
    LogSmsBackend,
    MemorySmsBackend,
    OutboxSmsBackend,
    get_sms_backend,
    mask_phone,
)


def test_the_default_backend_records_only(settings):
    del settings.SMS_BACKEND
    assert isinstance(get_sms_backend(), OutboxSmsBackend)
    assert get_sms_backend().send(phone="0912345678", text="x") is None


def test_the_log_backend_masks_the_number(settings, caplog):
    settings.SMS_BACKEND = "feedback.sms.LogSmsBackend"
    backend = get_sms_backend()
    assert isinstance(backend, LogSmsBackend)

    with caplog.at_level(logging.INFO, logger="feedback.sms"):
        backend.send(phone="0912345678", text="Hồ sơ đã được tiếp nhận.")

    assert "*******678" in caplog.text and "0912345678" not in caplog.text
    assert "Hồ sơ đã được tiếp nhận." in caplog.text


def test_the_memory_backend_keeps_what_it_sent(sms_outbox):
    get_sms_backend().send(phone="0912345678", text="Xin chào")
    assert sms_outbox == MemorySmsBackend.outbox
    assert [(s.phone, s.text) for s in sms_outbox] == [("0912345678", "Xin chào")]


def test_mask_phone():
    assert mask_phone("0912345678") == "*******678"
    assert mask_phone("12") == "**"
