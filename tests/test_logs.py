from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.logs import SECRET_PREFIXES, GunicornLogger, RedactSecrets, redact

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
    assert RedactSecrets().filter(record)
    assert TOKEN not in record.getMessage()
    assert any(isinstance(f, RedactSecrets) for f in logging.getLogger("werkzeug").filters)
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


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (f"GET /%66eeds/{TOKEN}.ics HTTP/1.1", "GET /feeds/[redacted] HTTP/1.1"),
        (f"GET /feeds/{TOKEN}%2Eics HTTP/1.1", "GET /feeds/[redacted] HTTP/1.1"),
        (f"GET /link/{TOKEN} HTTP/1.1", "GET /link/[redacted] HTTP/1.1"),
        (f"POST /%6Cink/{TOKEN} HTTP/1.1", "POST /link/[redacted] HTTP/1.1"),
        (f"GET /password-reset/{TOKEN} HTTP/1.1", "GET /password-reset/[redacted] HTTP/1.1"),
        (f"GET /login?next=/link/{TOKEN} HTTP/1.1", "GET /login?next=/link/[redacted] HTTP/1.1"),
        (
            f"GET /login?next=%2Flink%2F{TOKEN} HTTP/1.1",
            "GET /login?next=/link/[redacted] HTTP/1.1",
        ),
        (f"ref https://x.example/feeds/{TOKEN}.ics", "ref https://x.example/feeds/[redacted]"),
        ("GET /testconf/sessions/abc/ HTTP/1.1", "GET /testconf/sessions/abc/ HTTP/1.1"),
    ],
)
def test_every_secret_path_is_redacted_after_decoding(line: str, shown: str) -> None:
    assert redact(line) == shown


def test_every_url_with_a_token_is_covered(app: Flask) -> None:
    """The whole class: a new route carrying a secret must be added to SECRET_PREFIXES."""
    secret_rules = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert secret_rules
    for rule in secret_rules:
        assert rule.split("/")[1] in SECRET_PREFIXES, rule


def test_a_request_for_a_feed_through_an_encoded_path_is_logged_redacted(
    client: FlaskClient, caplog
) -> None:
    with caplog.at_level(logging.INFO):
        client.get(f"/%66eeds/{TOKEN}.ics")
        logging.getLogger("werkzeug").info('"GET %s HTTP/1.1" 404', f"/%66eeds/{TOKEN}.ics")
    assert TOKEN not in caplog.text
