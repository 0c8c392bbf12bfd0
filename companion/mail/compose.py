"""Build messages: a plain-text mail rendered from templates/mail/ (links in it come from
`companion.web.external_url`, on PUBLIC_URL)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, render_template


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
