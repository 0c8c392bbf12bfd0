"""Keep secrets out of logs: private calendar feeds, one-time device links and password-reset
links carry bearer secrets in their paths, so every log line that could hold one (werkzeug's and
gunicorn's access logs, Flask's error log) shows only `/feeds/[redacted]` and the like. A path is
judged after percent-decoding, as the router reads it: `/%66eeds/<token>.ics` is a feed too."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

from flask import Flask
from gunicorn.glogging import Logger as _GunicornLogger

#: First path segments whose next segment is a secret. `tests/test_logs.py` checks that every URL
#: rule of the app with a `<token>` in it starts with one of these.
SECRET_PREFIXES = ("feeds", "link", "password-reset")
_SECRET = re.compile(r"/(" + "|".join(SECRET_PREFIXES) + r")/[^\s?#\"'/]+", re.IGNORECASE)
#: Anything that may be a path or URL in a log line: up to the next space or quote.
_PATHLIKE = re.compile(r"/[^\s\"'<>]*")


def _decoded(text: str) -> str:
    for _ in range(3):  # a proxy may have decoded once already, or encoded twice
        once = unquote(text)
        if once == text:
            break
        text = once
    return text


def _clean(match: re.Match[str]) -> str:
    raw = match.group(0)
    decoded = _decoded(raw)
    if not _SECRET.search(decoded):
        return raw
    return _SECRET.sub(lambda m: f"/{m.group(1).lower()}/[redacted]", decoded)


def redact(text: str) -> str:
    """`text` with every secret path segment replaced."""
    return _PATHLIKE.sub(_clean, text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secret paths in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with secret paths redacted from access-log lines
    (`gunicorn --logger-class companion.logs.GunicornLogger`)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        """The access-log fields, redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


def init_app(app: Flask) -> None:
    """Redact secret paths from the app's and the development server's logs."""
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn")):
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
