"""Accounts: every attendee is a user; a guest is a user without an email."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base, UTCDateTime, utcnow

#: Default minutes before a starred session that its reminder goes out.
DEFAULT_REMINDER_MINUTES = 10


def new_token() -> str:
    """A long random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What we store of a token: its SHA-256, so a copy of the database opens no one's account."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(Base):
    """A person using the app. Guests have no email; registering upgrades the same row."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("reminder_minutes BETWEEN 0 AND 60", name="reminder_minutes_in_range"),
        CheckConstraint(
            "(email IS NULL) = (password_hash IS NULL)", name="registered_has_password"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased; None for guests.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: When the owner of the email showed they read it (by using a link mailed to it); None
    #: until then. Roles work only for confirmed emails: anyone can register any address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(100), default="")
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_MINUTES)
    #: Push a reminder before each starred session / an alert when one changes.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changes_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the user's stars or reminder lead time last changed (their calendar feed's
    #: Last-Modified: an unstar leaves no other trace).
    schedule_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[Role]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def session_token(self) -> str | None:
        """The raw token of this device's sign-in, known only in the request that made or read
        it (the database keeps only its hash)."""
        token = self.__dict__.get("_session_token")
        return str(token) if token is not None else None

    @session_token.setter
    def session_token(self, token: str | None) -> None:
        self.__dict__["_session_token"] = token

    @property
    def is_guest(self) -> bool:
        """True until the person registers."""
        return self.email is None

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The login cookies carry this device's random session token, never the row id."""
        if self.session_token is None:
            raise RuntimeError("the session token is only known to the request that set it")
        return self.session_token

    @property
    def has_password(self) -> bool:
        """False for guests and for invited people who have not chosen a password yet."""
        return self.password_hash is not None and self.password_hash != UNUSABLE_PASSWORD

    @property
    def display_name(self) -> str:
        """The name to greet the person with."""
        return self.name or (self.email or "Guest")


class LoginSession(Base):
    """One signed-in device: its cookie carries a random token, stored here only as a hash.
    Signing out deletes the row; a password change deletes all of the user's rows."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class RoleKind(StrEnum):
    """Who may do what in a conference (attendee is everyone, so it has no row)."""

    ORGANISER = "organiser"
    HOST = "host"


class Role(Base):
    """An organiser of a conference, or a host of one of its tracks."""

    __tablename__ = "roles"
    __table_args__ = (
        UniqueConstraint("user_id", "conference_id", "kind", "track_id"),
        CheckConstraint("kind IN ('organiser', 'host')", name="kind_known"),
        CheckConstraint("(kind = 'host') = (track_id IS NOT NULL)", name="hosts_have_a_track"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise")


class DeviceLink(Base):
    """A one-time link that signs a second device into the same account (15 minutes, once)."""

    __tablename__ = "device_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AttemptCounter(Base):
    """How often something was tried at one key lately (`accounts.throttle`): sign-ins per
    (account, address), password mails per email and per address. One row a key, counted up by
    a single atomic upsert, so parallel attempts are counted one by one."""

    __tablename__ = "attempt_counters"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    #: The first attempt of the current window.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The latest attempt, and the one before it (progressive delays are measured from that).
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedToken(Base):
    """The secret in a user's feed URL. Kept as is (not hashed), because the person must be able
    to copy their feed address again; it opens a read-only view of their stars and nothing else,
    and replacing it makes the old address answer 404."""

    __tablename__ = "feed_tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: What `User.password_hash` holds for an account whose owner has not chosen a password yet (an
#: invited host): no password matches it, so nobody can sign in until the invitation is used.
UNUSABLE_PASSWORD = "!"


class PasswordTokenPurpose(StrEnum):
    """Why a password link was sent."""

    RESET = "reset"
    INVITATION = "invitation"


class PasswordToken(Base):
    """A one-time link, sent by email, with which the owner of an account sets its password: a
    reset they asked for, or an organiser's invitation. Stored only as a hash; used once."""

    __tablename__ = "password_tokens"
    __table_args__ = (
        Index("ix_password_tokens_user", "user_id"),
        CheckConstraint("purpose IN ('reset', 'invitation')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
