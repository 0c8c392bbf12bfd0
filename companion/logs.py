"""Keep secrets out of logs: private calendar-feed addresses are bearer secrets, so every log line
that could carry one (werkzeug's and gunicorn's access logs, Flask's error log) shows only
`/feeds/[redacted]`."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger as _GunicornLogger

_FEED = re.compile(r"/feeds/[^/\s?\"']+")
REDACTED = "/feeds/[redacted]"


def redact(text: str) -> str:
    """`text` with every feed token replaced."""
    return _FEED.sub(REDACTED, text)


class RedactFeedTokens(logging.Filter):
    """A logging filter that redacts feed tokens in a record's message and arguments."""

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
    """gunicorn's logger with feed tokens redacted from access-log lines
    (`gunicorn --logger-class companion.logs.GunicornLogger`)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        """The access-log fields, redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


def init_app(app: Flask) -> None:
    """Redact feed tokens from the app's and the development server's logs."""
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn")):
        if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
            logger.addFilter(RedactFeedTokens())
