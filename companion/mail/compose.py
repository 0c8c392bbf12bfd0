"""Build messages: absolute links, and a plain-text mail rendered from templates/mail/."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, render_template, url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    """The absolute URL a mail links to: on the configured PUBLIC_URL when there is one, so a
    request's Host header can never choose where a reset link points; else the request's own."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def compose(to: str, subject: str, template: str, **context: Any) -> EmailMessage:
    """A plain-text mail to `to` from MAIL_SENDER, its body rendered from `template`."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    # 8bit keeps the link on one line, as typed: 7bit and quoted-printable fold lines over 78
    # characters, which would break the link for anyone who opens a written .eml file as text.
    message.set_content(render_template(template, **context), cte="8bit")
    return message


def _sender_domain() -> str:
    sender = str(current_app.config["MAIL_SENDER"])
    return sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
