from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from flask import Flask
from flask.testing import FlaskClient

from companion.logs import GunicornLogger, RedactFeedTokens, redact

TOKEN = "s3cr3t-T0ken_abcdefghijklmnopqrstuvwxyz012345"


def test_redact_hides_feed_tokens_only() -> None:
    line = f'127.0.0.1 "GET /feeds/{TOKEN}.ics HTTP/1.1" 200 /testconf/schedule.ics'
    assert redact(line) == '127.0.0.1 "GET /feeds/[redacted] HTTP/1.1" 200 /testconf/schedule.ics'


def test_the_development_servers_access_log_is_redacted(
    app: Flask, client: FlaskClient, caplog
) -> None:
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - "%s" %s',
        ("127.0.0.1", f"GET /feeds/{TOKEN}.ics HTTP/1.1", "404"),
        None,
    )
    assert RedactFeedTokens().filter(record)
    assert TOKEN not in record.getMessage()
    assert any(isinstance(f, RedactFeedTokens) for f in logging.getLogger("werkzeug").filters)
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('"%s"', f"GET /feeds/{TOKEN}.ics")
    assert TOKEN not in caplog.text and "/feeds/[redacted]" in caplog.text


def test_gunicorns_access_log_is_redacted() -> None:
    logger = GunicornLogger.__new__(GunicornLogger)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feeds/{TOKEN}.ics",
        "PATH_INFO": f"/feeds/{TOKEN}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("Referer", f"https://x/feeds/{TOKEN}.ics")])
    logger.cfg = SimpleNamespace()
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    assert TOKEN not in repr(atoms)
    assert atoms["r"] == "GET /feeds/[redacted] HTTP/1.1"
