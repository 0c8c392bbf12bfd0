"""Slow down password guessing: failures are counted per account and per address in the database,
so every app server and worker sees the same counts (an in-memory limiter would count per process).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from companion.accounts.models import SignInFailure
from companion.db import session

#: The window in which failures count.
WINDOW = timedelta(minutes=15)
#: Failures allowed per account, and per address, within WINDOW.
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Lockout:
    """Sign-in is refused until `until`."""

    until: datetime


def _keys(email: str, address: str) -> dict[str, int]:
    return {f"account:{email.lower()}": ACCOUNT_LIMIT, f"address:{address}": ADDRESS_LIMIT}


def lockout(email: str, address: str, *, now: datetime) -> Lockout | None:
    """The lockout in force for this account or address, if any."""
    latest: datetime | None = None
    for key, limit in _keys(email, address).items():
        times = list(
            session.execute(
                select(SignInFailure.at)
                .where(SignInFailure.key == key, SignInFailure.at > now - WINDOW)
                .order_by(SignInFailure.at.desc())
                .limit(limit)
            ).scalars()
        )
        if len(times) >= limit:
            until = times[-1] + WINDOW  # when the oldest counted failure leaves the window
            latest = max(latest, until) if latest else until
    return Lockout(latest) if latest else None


def record_failure(email: str, address: str, *, now: datetime) -> None:
    """Count a failed sign-in (and forget failures older than the window)."""
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
    for key in _keys(email, address):
        session.add(SignInFailure(key=key, at=now))
    session.flush()


def clear_account(email: str) -> None:
    """A successful sign-in forgets the account's failures (the address's stay)."""
    session.execute(delete(SignInFailure).where(SignInFailure.key == f"account:{email.lower()}"))
