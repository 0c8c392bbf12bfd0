"""The mails accounts send: a password reset link, and an invitation to set a first password."""

from __future__ import annotations

from email.message import EmailMessage

from companion.accounts.models import User
from companion.accounts.passwords import INVITATION_TTL, RESET_TTL
from companion.mail import compose
from companion.web import external_url


def reset_mail(user: User, token: str) -> EmailMessage:
    """ "Choose a new password" with the one-time link."""
    return compose(
        str(user.email),
        "Reset your Conference Companion password",
        "accounts/mail/password_reset.txt",
        user=user,
        link=external_url("accounts.reset_password", token=token),
        minutes=int(RESET_TTL.total_seconds() // 60),
    )


def invitation_mail(user: User, token: str, *, conference: str, role: str) -> EmailMessage:
    """An organiser made `user` `role` of `conference`: choose a password with the link."""
    return compose(
        str(user.email),
        f"You are invited to edit {conference}",
        "accounts/mail/invitation.txt",
        user=user,
        conference=conference,
        role=role,
        link=external_url("accounts.reset_password", token=token),
        days=INVITATION_TTL.days,
    )
