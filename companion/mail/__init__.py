"""Outgoing mail: password resets and invitations. `send(message)` speaks SMTP to MAIL_SERVER, or,
in the embedded default, writes the message as an .eml file into MAIL_FOLDER and logs its path.
It serves no URL."""

from companion.mail.compose import compose
from companion.mail.transport import MailNotSent, init_app, send

__all__ = ["MailNotSent", "compose", "init_app", "send"]
