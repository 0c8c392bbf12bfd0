"""Hand a message to the SMTP server, or, with none configured (`make run`, not production), write
it to a folder a person can open. Neither ever logs a message's body: it holds a one-time link."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app

from companion.errors import CompanionError


class MailNotSent(CompanionError):
    """The mail server could not be reached or refused the message."""

    status = 503
    title = "Mail not sent"


def send(message: EmailMessage) -> None:
    """Deliver `message` (MailNotSent when that fails)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        path = _write_to_folder(message, Path(config["MAIL_FOLDER"]))
        current_app.logger.info(
            "Mail %r written to %s (open it to follow its link)", str(message["Subject"]), path
        )
        return
    try:
        _send_smtp(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning(
            "Mail %r not sent: %s: %s", str(message["Subject"]), type(error).__name__, error
        )
        raise MailNotSent(
            "We could not send the mail just now. Please try again in a few minutes."
        ) from None


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_TLS"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_STARTTLS") and not config.get("MAIL_USE_TLS"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def _write_to_folder(message: EmailMessage, folder: Path) -> Path:
    """The message as `<time>-<random>.eml`, readable by its owner only (it holds a link that
    sets a password)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(message.as_bytes())
    return path


def init_app(app: Flask) -> None:
    """Without a mail server, let the app's INFO lines through so
    each mail's path shows in the console of `make run`."""
    if app.config.get("MAIL_SERVER"):
        return
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
