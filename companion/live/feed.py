"""Where a stream node learns of new events: PostgreSQL's LISTEN/NOTIFY, or a cheap poll of the
newest id on SQLite (and, on PostgreSQL too, a slower poll in case a notification was lost while
the listening connection was down). Either way the node then reads every event after the last
it has, in id order, so each stream gets each event once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

from companion.db import get_database_of
from companion.live import queries
from companion.live.hub import Hub
from companion.live.record import CHANNEL

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Events read in one go.
BATCH = 1000


class Feed:
    """Reads new events from the database into the hub."""

    def __init__(self, app: Flask, hub: Hub) -> None:
        self.database = get_database_of(app)
        self.hub = hub
        self.postgres = self.database.engine.dialect.name == "postgresql"
        poll = app.config["LIVE_POLL_MS"] / 1000
        self.poll_seconds = poll * 40 if self.postgres else poll
        self.wake = asyncio.Event()
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task[None]] = []
        self.listening = False

    async def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a query of `companion.live.queries` in a thread, in a session of its own."""
        return await asyncio.to_thread(self._in_session, query, *args, **kwargs)

    def _in_session(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.database.sessionmaker() as session:
            return query(session, *args, **kwargs)

    async def start(self) -> None:
        """Load the newest kept events, then follow the database."""
        self.hub.load(await self.read(queries.newest_events, self.hub.recent.maxlen or BATCH))
        self.tasks.append(asyncio.create_task(self._follow()))
        if self.postgres:
            self.tasks.append(asyncio.create_task(self._listen()))

    async def stop(self) -> None:
        """Stop following."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def catch_up(self) -> None:
        """Read every event after the newest the hub has, and send each to its streams."""
        async with self.lock:
            while True:
                events = await self.read(queries.events_after, self.hub.last_id, limit=BATCH)
                self.hub.add(events)
                if len(events) < BATCH:
                    return

    async def _follow(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
            self.wake.clear()
            try:
                await self.catch_up()
            except Exception:  # the database is away: keep the streams, try again
                log.exception("reading live events failed")
                await asyncio.sleep(1)

    async def _listen(self) -> None:
        import psycopg

        url = self.database.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    delay = 0.5
                    self.wake.set()  # whatever was committed while not listening
                    async for _notify in conn.notifies():
                        self.wake.set()
            except psycopg.Error as error:
                log.warning("LISTEN %s lost (%s); again in %.1f s", CHANNEL, error, delay)
            finally:
                self.listening = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
