"""Passwords are set only by their owners: with the current one (settings), or with a one-time
link sent to the account's email — a reset the person asked for, or an organiser's invitation.
Nobody else ever sees or chooses a password.

A link's token is stored only as its hash, lives RESET_TTL (or INVITATION_TTL), and works once;
setting a password uses up every link of the account and signs out every other device. Password
mails are counted per email and per address in the database, so nobody can fill a mailbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from companion.accounts import throttle
from companion.accounts.models import (
    PasswordToken,
    PasswordTokenPurpose,
    User,
    new_token,
    token_hash,
)
from companion.accounts.operations import (
    check_new_password,
    end_all_sessions,
    normalise_email,
    reclaim,
    start_session,
)
from companion.accounts.queries import user_by_email
from companion.db import session
from companion.errors import CompanionError

#: How long a reset link works: long enough to find the mail, short enough to go stale.
RESET_TTL = timedelta(minutes=30)
#: How long an invitation works: a host may read their mail only days later.
INVITATION_TTL = timedelta(days=7)
#: The window in which password mails are counted.
MAIL_WINDOW = timedelta(hours=1)
#: Password mails to one email within MAIL_WINDOW; more are silently not sent. There is no
#: limit per address: a venue's Wi-Fi is one NAT address, and a count of everyone's requests
#: there would let one person stop everyone's resets (requests for unknown emails send nothing).
EMAIL_LIMIT = 3


class LinkExpired(CompanionError):
    """A password link that is unknown, used or out of date."""

    status = 410
    title = "Link expired"


def request_reset(email: str, *, address: str, now: datetime) -> tuple[User, str] | None:
    """A reset link's token for the account with `email`, or None — when there is no such
    account, or it was sent mails enough lately. The caller answers the same in every case, so
    nobody learns which emails have accounts. FieldError for a malformed email."""
    del address  # see EMAIL_LIMIT
    email = normalise_email(email)
    user = user_by_email(email)
    if user is None or not _count(f"email:{email}", EMAIL_LIMIT, now=now):
        return None
    return user, _issue(user, PasswordTokenPurpose.RESET, RESET_TTL, now=now)


def issue_invitation(user: User, *, now: datetime) -> str | None:
    """An invitation link's token for `user` (who has no password yet), or None when they were
    sent mails enough lately."""
    # The organiser's write has begun (the role, perhaps the account): count within it.
    if user.email is None or not _count(
        f"email:{user.email}", EMAIL_LIMIT, now=now, in_request=True
    ):
        return None
    return _issue(user, PasswordTokenPurpose.INVITATION, INVITATION_TTL, now=now)


def link_of(token: str, *, now: datetime) -> tuple[PasswordToken, User]:
    """The unused, unexpired link `token` and its account (LinkExpired otherwise). Reads only:
    showing the form does not use the link up."""
    link = session.execute(
        select(PasswordToken).where(PasswordToken.token_hash == token_hash(token))
    ).scalar_one_or_none()
    user = session.get(User, link.user_id) if link is not None else None
    if link is None or user is None or link.used_at is not None or link.expires_at <= now:
        raise LinkExpired(
            "This link has expired or was already used. Ask for a new one with "
            "“Forgot password?” on the sign-in page."
        )
    return link, user


def set_password(token: str, new: str, *, now: datetime) -> User:
    """Set the account's password with the link `token` (used up, with every other link of the
    account), sign every device out, and sign this one in."""
    check_new_password(new)
    # Hold the row: two posts of the same link at once set one password, not two.
    session.execute(
        select(PasswordToken.id)
        .where(PasswordToken.token_hash == token_hash(token))
        .with_for_update()
    ).first()
    link, user = link_of(token, now=now)
    link.used_at = now
    session.execute(
        delete(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.id != link.id)
    )
    user.password_hash = generate_password_hash(new)
    if user.email_confirmed_at is None:
        # The link came to that mailbox, so this is the address's owner, and whoever made the
        # account with it may not have been: they lose every way in and what they chose.
        user.email_confirmed_at = now
        reclaim(user)
    else:
        end_all_sessions(user)
    start_session(user)
    return user


def _issue(user: User, purpose: PasswordTokenPurpose, ttl: timedelta, *, now: datetime) -> str:
    session.execute(delete(PasswordToken).where(PasswordToken.expires_at <= now))
    token = new_token()
    session.add(
        PasswordToken(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose=purpose.value,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return token


def _count(key: str, limit: int, *, now: datetime, in_request: bool = False) -> bool:
    """Count one mail asked for under `key` (atomically, `throttle.count`): True when it is
    within `limit`."""
    number, _ = throttle.count(f"mail-{key}", window=MAIL_WINDOW, now=now, in_request=in_request)
    return number <= limit
