"""Writes to accounts. Operations flush, never commit; the view commits once."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from companion.accounts import throttle
from companion.accounts.models import (
    UNUSABLE_PASSWORD,
    DeviceLink,
    FeedToken,
    LoginSession,
    PasswordToken,
    Role,
    RoleKind,
    User,
    new_token,
    token_hash,
)
from companion.accounts.queries import feed_token_of
from companion.db import session, utcnow
from companion.errors import BadRequest, CompanionError, NotFound
from companion.parsing import is_plain_label

#: Shortest password accepted (NIST 800-63B asks for at least 8 and no composition rules).
MIN_PASSWORD = 8
#: How long a one-time device link stays valid.
DEVICE_LINK_TTL = timedelta(minutes=15)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: Features keeping per-user rows (stars, push subscriptions…) add how to move them from a guest
#: to an account in their `init_app`, so accounts never has to import them.
MergeStep = Callable[[int, int], None]
#: Where the app keeps its merge steps (app.extensions).
MERGE_STEPS = "companion.merge_steps"


#: Where the app keeps the steps run when an address's owner reclaims an account (`reclaim`).
RECLAIM_STEPS = "companion.reclaim_steps"


def add_reclaim_step(app: Flask, step: Callable[[int], None]) -> None:
    """Run `step(user_id)` when the owner of an address reclaims the account made with it."""
    steps: list[Callable[[int], None]] = app.extensions[RECLAIM_STEPS]
    if step not in steps:
        steps.append(step)


def add_merge_step(app: Flask, step: MergeStep) -> None:
    """Run `step(from_user_id, to_user_id)` whenever a guest merges into an account."""
    steps: list[MergeStep] = app.extensions[MERGE_STEPS]
    if step not in steps:
        steps.append(step)


class FieldError(BadRequest):
    """A form value is wrong; `field` names it so the form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class LockedOut(CompanionError):
    """Too many failed sign-ins: try again later."""

    status = 429
    title = "Too many attempts"

    def __init__(self, until: datetime, *, now: datetime) -> None:
        seconds = max(1, round((until - now).total_seconds()))
        wait = f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
        super().__init__(
            f"Too many failed sign-ins with this email from here. Try again in {wait}."
        )
        self.until = until


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased, or a FieldError."""
    email = email.strip().lower()
    if (
        len(email) > 254
        or not _EMAIL.match(email)
        # Invisible or direction-changing characters make an address that looks like another.
        or any(unicodedata.category(char)[0] in "CZ" for char in email)
    ):
        raise FieldError("email", "Enter an email address like name@example.org.")
    return email


def clean_name(name: str) -> str:
    """The name a person gives, trimmed; one line of at most 100 characters, or a FieldError."""
    name = name.strip()
    if name and not is_plain_label(name):
        raise FieldError(
            "name", "Type your name on one line, without tabs or invisible characters."
        )
    if len(name) > 100:
        raise FieldError("name", "Keep your name under 100 characters.")
    return name


def check_new_password(password: str) -> None:
    """Refuse passwords that are too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise FieldError("password", f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > 1024:
        raise FieldError("password", "Use at most 1,024 characters.")


def start_session(user: User) -> None:
    """Sign a device in: a new random token for its cookies (kept on `user` for Flask-Login)."""
    token = new_token()
    session.add(LoginSession(user_id=user.id, token_hash=token_hash(token)))
    session.flush()
    user.session_token = token


def end_session(user: User) -> None:
    """Sign this device out: its token stops working at once."""
    if user.session_token is not None:
        session.execute(
            delete(LoginSession).where(LoginSession.token_hash == token_hash(user.session_token))
        )


def end_all_sessions(user: User) -> None:
    """Sign every device of `user` out, and void the one-time device links made before (a link
    is a way in too: one kept by someone signed out now must not sign them back in)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.execute(delete(DeviceLink).where(DeviceLink.user_id == user.id))


def reclaim(user: User) -> None:
    """The owner of the address takes an account someone else may have made with it: everything
    that person could still hold or had chosen goes (sessions, device links, the calendar feed's
    address, the name; and what features register with `add_reclaim_step`, e.g. their devices'
    push subscriptions). Their stars stay, for the owner to keep or remove."""
    end_all_sessions(user)
    session.execute(delete(FeedToken).where(FeedToken.user_id == user.id))
    user.name = ""
    for step in current_app.extensions[RECLAIM_STEPS]:
        step(user.id)


def create_guest() -> User:
    """A new guest user, signed in on this device (made on the first star)."""
    user = User()
    session.add(user)
    session.flush()
    start_session(user)
    return user


def register(user: User | None, *, email: str, password: str, name: str) -> User:
    """Register: upgrade the guest `user` in place (keeping everything it starred), or create a
    new account when there is no user yet."""
    email = normalise_email(email)
    check_new_password(password)
    if session.execute(select(User.id).where(User.email == email)).first():
        raise FieldError("email", "An account with this email already exists. Sign in instead.")
    if user is not None and not user.is_guest:
        raise BadRequest("You are already registered.")
    if user is None:
        user = User()
        session.add(user)
    user.email = email
    user.password_hash = generate_password_hash(password)
    user.name = clean_name(name)
    session.flush()
    if user.session_token is not None:
        end_session(user)  # a new identity deserves a new cookie (no session fixation)
    start_session(user)
    return user


def authenticate(email: str, password: str, *, address: str, now: datetime) -> User:
    """The account for `email` and `password`, or LockedOut / FieldError. Every attempt is
    counted first (see `throttle`): failures of other people never refuse a correct password."""
    email = email.strip().lower()
    key, wait_until = throttle.sign_in_attempt(email, address, now=now)
    if wait_until is not None:
        raise LockedOut(wait_until, now=now)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    hashed = user.password_hash if user else None
    # Check a hash even for unknown emails, so timing does not tell which emails exist.
    valid = check_password_hash(hashed or _DUMMY_HASH, password) and hashed is not None
    if user is None or not valid:
        raise FieldError("password", "That email and password do not match.")
    throttle.forget(key)
    start_session(user)
    return user


_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def merge_guest(guest: User, account: User) -> None:
    """Move everything the guest has into `account` (union, no duplicates) and delete the guest."""
    if not guest.is_guest or guest.id == account.id:
        return
    for step in current_app.extensions[MERGE_STEPS]:
        step(guest.id, account.id)
    session.delete(guest)
    session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password (signs out every other device)."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise FieldError("current_password", "Your current password is not right.")
    check_new_password(new)
    user.password_hash = generate_password_hash(new)
    forget_password_links(user)
    end_all_sessions(user)
    start_session(user)  # this device stays signed in


def invite(email: str, name: str) -> User:
    """An account an organiser makes for a track host or co-organiser, without a usable password:
    its owner chooses one with the invitation link mailed to them. Nobody is signed in by this."""
    email = normalise_email(email)
    if session.execute(select(User.id).where(User.email == email)).first():
        raise FieldError("email", "An account with this email already exists.")
    user = User(email=email, name=clean_name(name), password_hash=UNUSABLE_PASSWORD)
    session.add(user)
    session.flush()
    return user


def forget_password_links(user: User) -> None:
    """Every reset or invitation link of `user` stops working (their password just changed)."""
    session.execute(delete(PasswordToken).where(PasswordToken.user_id == user.id))


def update_settings(
    user: User, *, name: str, reminder_minutes: int, reminders: bool = True, changes: bool = True
) -> None:
    """Save the name, the reminder lead time (0–60 minutes) and which notifications to get."""
    if not 0 <= reminder_minutes <= 60:
        raise FieldError("reminder_minutes", "Choose between 0 and 60 minutes.")
    user.name = clean_name(name)
    user.reminders_enabled, user.changes_enabled = reminders, changes
    if user.reminder_minutes != reminder_minutes:
        user.reminder_minutes = reminder_minutes
        user.schedule_changed_at = utcnow()
    session.flush()


def create_device_link(user: User, *, now: datetime) -> str:
    """A one-time token that signs another device into `user` within DEVICE_LINK_TTL."""
    token = new_token()
    session.add(
        DeviceLink(token_hash=token_hash(token), user_id=user.id, expires_at=now + DEVICE_LINK_TTL)
    )
    session.flush()
    return token


def redeem_device_link(token: str, *, now: datetime) -> User:
    """The user behind a valid, unused, unexpired link; the link is used up."""
    link = session.execute(
        select(DeviceLink).where(DeviceLink.token_hash == token_hash(token)).with_for_update()
    ).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound(
            "This link has expired or was already used. Make a new one on the "
            "device that has your schedule."
        )
    link.used_at = now
    user = session.get(User, link.user_id)
    if user is None:
        raise NotFound("This link has expired or was already used.")
    start_session(user)
    return user


def grant(user: User, conference_id: int, kind: RoleKind, track_id: int | None = None) -> None:
    """Make `user` an organiser of a conference or a host of one of its tracks (idempotent)."""
    exists = session.execute(
        select(Role.id).where(
            Role.user_id == user.id,
            Role.conference_id == conference_id,
            Role.kind == kind.value,
            Role.track_id.is_(track_id) if track_id is None else Role.track_id == track_id,
        )
    ).first()
    if not exists:
        session.add(
            Role(user_id=user.id, conference_id=conference_id, kind=kind.value, track_id=track_id)
        )
        session.flush()


def revoke(role: Role) -> None:
    """Take a role away (the person keeps their account and their own schedule)."""
    session.delete(role)
    session.flush()


def ensure_feed_token(user: User) -> str:
    """The user's feed token, made on first use (256 random bits)."""
    token = feed_token_of(user.id)
    if token is None:
        token = secrets.token_urlsafe(32)
        session.add(FeedToken(user_id=user.id, token=token))
        session.flush()
    return token


def replace_feed_token(user: User) -> str:
    """A new address for the feed; the old one answers 404 from now on."""
    revoke_feed_token(user)
    return ensure_feed_token(user)


def revoke_feed_token(user: User) -> None:
    """Turn the feed off."""
    session.execute(delete(FeedToken).where(FeedToken.user_id == user.id))
    session.flush()
