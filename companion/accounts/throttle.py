"""Slow down password guessing without letting anyone lock other people out.

Attempts are counted per (account, address) for accounts that exist, and per address only for
emails that have no account: a venue's Wi-Fi is one NAT address, so failures by one person there
must never refuse another person's correct password. After a few free attempts each further one
must wait twice as long as the last (up to MAX_DELAY) since the attempt before it.

Every attempt is counted *before* the password is checked, by one upsert in a transaction of its
own that commits at once: parallel guesses each get their own count, so no more than the free
attempts are ever checked, whatever the interleaving, and the count survives the request's
rollback. Counts live in the database, so every app server and worker sees the same ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from companion.accounts.models import SignInCounter, User
from companion.db import get_database, session

#: A key's count starts again once its latest attempt is this old.
WINDOW = timedelta(minutes=15)
#: Attempts checked without delay: per (account, address), and per address for unknown accounts.
ACCOUNT_FREE = 5
ADDRESS_FREE = 20
#: The longest wait between two attempts once the free ones are used.
MAX_DELAY = timedelta(minutes=15)


def _key(email: str, address: str, *, known: bool) -> tuple[str, int]:
    if known:
        return f"pair:{email} {address}", ACCOUNT_FREE
    return f"address:{address}", ADDRESS_FREE


def delay_after(count: int, free: int) -> timedelta:
    """How long attempt number `count` must wait after the one before it."""
    if count <= free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(count - free, 20)), MAX_DELAY)


def attempt(email: str, address: str, *, now: datetime) -> tuple[str, datetime | None]:
    """Count one sign-in attempt (committed at once, in a transaction of its own, before the
    request's session holds a connection). Returns the counter's key, for `forget`, and None
    when the password may be checked now, else the instant from which the next attempt will be.
    """
    table = cast(Table, SignInCounter.__table__)
    with get_database().sessionmaker() as own:
        known = own.execute(select(User.id).where(User.email == email)).first() is not None
        key, free = _key(email, address, known=known)
        insert = sqlite_insert if own.get_bind().dialect.name == "sqlite" else postgres_insert
        upsert = insert(table).values(key=key, count=1, last_at=now, prev_at=None)
        statement = upsert.on_conflict_do_update(
            index_elements=[table.c.key],
            # Every right-hand side reads the row as it was before this attempt.
            set_={
                "count": case((table.c.last_at <= now - WINDOW, 1), else_=table.c.count + 1),
                "prev_at": table.c.last_at,
                "last_at": now,
            },
        ).returning(table.c.count, table.c.prev_at)
        count, previous = own.execute(statement).one()
        own.execute(delete(table).where(table.c.last_at <= now - WINDOW, table.c.key != key))
        own.commit()
    wait = delay_after(count, free)
    if not wait or previous is None or now - previous >= wait:
        return key, None
    return key, now + delay_after(count + 1, free)


def forget(key: str) -> None:
    """A successful sign-in starts the (account, address) count again."""
    session.execute(delete(SignInCounter).where(SignInCounter.key == key))
