"""Counting attempts without letting anyone lock other people out: sign-ins, password mails.

`count` is the one primitive: one upsert in a transaction of its own, committed at once, so
parallel attempts each get their own number (none is checked twice, none lost to a rollback)
and every app server and worker sees the same counts. A key's count starts again a window after
its first attempt.

Sign-ins are counted per (email, address), whether or not the email has an account: a venue's
Wi-Fi is one NAT address, so failures by one person there must never refuse another person's
correct password, and an answer that differed for unknown emails would tell which emails have an
account. (A guess at an email with no account opens nothing; flooding the hashing is a matter for
the proxy's request limits.) After a few free attempts each further one
must wait twice as long as the last (up to MAX_DELAY) since the attempt before it. Every attempt
is counted *before* the password is checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, case, delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from companion.accounts.models import AttemptCounter
from companion.db import get_database, session

#: A sign-in key's count starts again this long after its first attempt.
WINDOW = timedelta(minutes=15)
#: Attempts checked without delay per (email, address).
ACCOUNT_FREE = 5
#: The longest wait between two attempts once the free ones are used.
MAX_DELAY = timedelta(minutes=15)
#: Counters idle for longer than this are dropped (the longest window any caller uses).
FORGET_AFTER = timedelta(hours=1)


def count(
    key: str, *, window: timedelta, now: datetime, in_request: bool = False
) -> tuple[int, datetime | None]:
    """Count one attempt at `key`. Returns this attempt's number within the window and when the
    attempt before it was (None for the first).

    By default the count is committed at once in a transaction of its own, so that a rollback of
    the request cannot lose it; call it before the request writes anything (on SQLite the
    request's write lock would make it wait). `in_request` counts in the request's transaction
    instead, for a write that has begun (the upsert is atomic there too)."""
    if in_request:
        return _count(session, key, window=window, now=now)
    with get_database().sessionmaker() as own:
        result = _count(own, key, window=window, now=now)
        own.commit()
    return result


def _count(
    own: Session, key: str, *, window: timedelta, now: datetime
) -> tuple[int, datetime | None]:
    table = cast(Table, AttemptCounter.__table__)
    insert = sqlite_insert if own.get_bind().dialect.name == "sqlite" else postgres_insert
    upsert = insert(table).values(key=key, count=1, since=now, last_at=now, prev_at=None)
    expired = table.c.since <= now - window
    statement = upsert.on_conflict_do_update(
        index_elements=[table.c.key],
        # Every right-hand side reads the row as it was before this attempt. The window is fixed
        # from its first attempt: someone who keeps trying cannot hold a count up for ever (and
        # so keep another person's reset mail from being sent).
        set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "since": case((expired, now), else_=table.c.since),
            "prev_at": table.c.last_at,
            "last_at": now,
        },
    ).returning(table.c.count, table.c.prev_at)
    number, previous = own.execute(statement).one()
    own.execute(delete(table).where(table.c.last_at <= now - FORGET_AFTER, table.c.key != key))
    return int(number), previous


def delay_after(number: int, free: int) -> timedelta:
    """How long attempt number `number` must wait after the one before it."""
    if number <= free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(number - free, 20)), MAX_DELAY)


def sign_in_attempt(email: str, address: str, *, now: datetime) -> tuple[str, datetime | None]:
    """Count one sign-in attempt, per (email, address) whether or not the email has an account,
    so that the answers never tell which emails have one. Returns the counter's key, for
    `forget`, and None when the password may be checked now, else the instant from which the
    next attempt will be."""
    key = f"pair:{email} {address}"
    number, previous = count(key, window=WINDOW, now=now)
    return key, _wait(number, previous, ACCOUNT_FREE, now)


def _wait(number: int, previous: datetime | None, free: int, now: datetime) -> datetime | None:
    """When the next attempt may be, if attempt `number` came too soon after `previous`."""
    delay = delay_after(number, free)
    if not delay or previous is None or now - previous >= delay:
        return None
    return now + delay_after(number + 1, free)


def forget(key: str) -> None:
    """A successful sign-in starts the (account, address) count again."""
    session.execute(delete(AttemptCounter).where(AttemptCounter.key == key))
