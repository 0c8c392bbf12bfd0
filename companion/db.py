"""The database connection: engine, per-request session, Base, shared column types."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import (
    DateTime,
    Engine,
    FromClause,
    MetaData,
    Table,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

#: Constraint names that Alembic can rely on, on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every database (SQLite has no zones: naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: store timezone-aware instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, timezone-aware (audit stamps; the programme's "now" is clock.now)."""
    return datetime.now(UTC)


class CompanionSession(Session):
    """The one session class of the app: every sessionmaker makes sessions of it, and every
    feature's session listeners are registered on it (`listen`), in that feature's `init_app`.

    A class of our own, defined once, rather than each sessionmaker's own subclass: SQLAlchemy
    keys event targets by id(), so a listener put on a discarded app's class could look
    "already registered" on a new class that happens to get the same address."""


def listen(identifier: str, listener: Callable[..., Any]) -> None:
    """Register a session event listener (`after_flush`, `before_flush`, `do_orm_execute`) on
    every session of the app, once however many apps are built."""
    if not event.contains(CompanionSession, identifier, listener):
        event.listen(CompanionSession, identifier, listener)


class Database:
    """The engine and session factory of one app (tests run one app per database)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, echo=echo)
        self.sessionmaker = sessionmaker(
            self.engine, class_=CompanionSession, expire_on_commit=False
        )


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the settings each database wants."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run while the worker writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach a Database to `app` and close each request's session when its context ends."""
    app.extensions["companion.db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_database() -> Database:
    """The current app's Database."""
    return get_database_of(current_app)


def get_database_of(app: Flask) -> Database:
    """The Database of `app` (outside a request, e.g. in the factory)."""
    return cast(Database, app.extensions["companion.db"])


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return cast(Session, g.db_session)


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once this request's unit of work has committed (a mail whose link must work
    when it arrives). An error it raises becomes the answer, as any view's error does; the
    commit stands."""
    g.setdefault("after_commit", []).append(action)


def finish_request(*, succeeded: bool) -> None:
    """The one commit point of a request (`app.Companion.dispatch_request`): commit what the
    view did when it succeeded (2xx/3xx), else roll it all back; then run `after_commit`."""
    db_session: Session | None = g.get("db_session")
    if db_session is not None:
        if succeeded:
            db_session.commit()
        else:
            db_session.rollback()
    actions: list[Callable[[], None]] = g.pop("after_commit", [])
    if succeeded:
        for action in actions:
            action()


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()  # rolls back anything not committed: one commit per unit of work


#: The current request's (or CLI command's) session; views and CLI commit it, operations only flush.
session = cast(Session, LocalProxy(get_session))


def hold_row(table: FromClause, row_id: int) -> None:
    """Hold one row against every concurrent writer until this transaction ends, before reading
    what decides a write (e.g. "does anything still refer to it?"). PostgreSQL: `FOR UPDATE`,
    which also makes a new foreign-key reference to the row wait, and then fail if the row is
    gone. SQLite has no row locks: a no-op UPDATE takes the database's write lock instead."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        writable = cast(Table, table)
        session.execute(update(writable).where(writable.c.id == row_id).values(id=writable.c.id))


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements `engine` runs inside the block (N+1 guards in tests)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
