"""A stream node's open streams and its recent events, in memory, on one asyncio loop.

Each event is encoded once, as the SSE frame every stream of its conference is sent, and written
straight to each connection's transport: no queue and no task wake-up per reader, so an event
reaches 1,000 streams in a few milliseconds. A reader that stops reading is not buffered for:
past `max_buffer` unsent bytes, or still behind at two heartbeats in a row, it is dropped (and
resumes with Last-Event-ID when it comes back).
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Any

from companion.live.queries import StoredEvent

HEARTBEAT = b": heartbeat\n\n"
#: The kernel's send buffer for a stream (Linux doubles it): events are small, and a reader that
#: stops reading should cost kilobytes, not the megabytes send buffers grow to on their own.
SEND_BUFFER = 64 * 1024
#: Events a stream holds back while its backlog is read, at most (more: it is dropped).
HOLD_MAX = 1000


@dataclass(frozen=True, slots=True)
class Frame:
    """An event, encoded once for every stream: as sent over HTTP/1.1 (`chunked`) or 1.0."""

    event: StoredEvent
    raw: bytes
    chunked: bytes

    @property
    def id(self) -> int:
        """The event's id."""
        return self.event.id


def chunk(payload: bytes) -> bytes:
    """`payload` as one chunk of an HTTP/1.1 chunked body."""
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def sse(
    kind: str, data: dict[str, Any], *, event_id: int | None = None, retry: int | None = None
) -> bytes:
    """One Server-Sent Events frame (compact JSON has no line break, so one `data:` line)."""
    lines = []
    if retry is not None:
        lines.append(f"retry: {retry}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {kind}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode()


def frame(event: StoredEvent) -> Frame:
    """The event as every stream is sent it."""
    raw = sse(event.kind, event.data, event_id=event.id)
    return Frame(event, raw, chunk(raw))


class Subscriber:
    """One open stream."""

    __slots__ = (
        "address",
        "behind",
        "chunked",
        "conference_id",
        "done",
        "held",
        "sent",
        "transport",
    )

    def __init__(self, conference_id: int, address: str, transport: Any, *, chunked: bool) -> None:
        self.conference_id = conference_id
        self.address = address
        self.transport = transport
        self.chunked = chunked
        #: Live events that arrive while the backlog is read; None once it has been sent.
        self.held: list[Frame] | None = []
        #: The newest event id written to this stream.
        self.sent = 0
        #: Unsent bytes were waiting at the last heartbeat.
        self.behind = False
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def open(self) -> bool:
        """The connection is still there."""
        transport = self.transport
        return not self.done.done() and transport is not None and not transport.is_closing()

    def unsent(self) -> int:
        """Bytes written to this stream that its reader has not taken yet (beyond the kernel's)."""
        return 0 if self.transport is None else int(self.transport.get_write_buffer_size())

    def write(self, payload: bytes) -> bool:
        """Send `payload` (an SSE frame or comment) if the connection is still there."""
        if not self.open():
            return False
        self.transport.write(chunk(payload) if self.chunked else payload)
        return True

    def deliver(self, item: Frame) -> bool:
        """Send a live event (or hold it while the backlog is being sent); each id once."""
        if self.held is not None:
            self.held.append(item)
            return len(self.held) <= HOLD_MAX
        if item.id <= self.sent:
            return True
        if not self.open():
            return False
        self.transport.write(item.chunked if self.chunked else item.raw)
        self.sent = item.id
        return True

    def release(self, backlog: list[Frame]) -> bool:
        """Send the backlog, then what was held meanwhile, each event once; from then on, live
        events go out as they come."""
        held, self.held = self.held or [], None
        return all(self.deliver(item) for item in [*backlog, *held])

    def close(self) -> None:
        """End the stream (its handler returns)."""
        if not self.done.done():
            self.done.set_result(None)


class Hub:
    """The streams of one node by conference, and its newest events for replay."""

    def __init__(self, *, max_buffer: int, keep: int = 5000) -> None:
        self.max_buffer = max_buffer
        self.streams: dict[int, set[Subscriber]] = defaultdict(set)
        self.per_address: Counter[str] = Counter()
        self.recent: deque[Frame] = deque(maxlen=keep)
        #: Every event with an id above `floor` is in `recent`.
        self.floor = 0
        self.last_id = 0
        self.revisions: dict[int, int] = {}
        self.dropped = 0
        self.delivered = 0

    @property
    def connections(self) -> int:
        """Streams open on this node."""
        return sum(self.per_address.values())

    def subscribe(
        self, conference_id: int, address: str, transport: Any, *, chunked: bool
    ) -> Subscriber:
        """A new stream, holding live events until its backlog is sent."""
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None:  # the kernel holds little for a reader that stops (not megabytes)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        subscriber = Subscriber(conference_id, address, transport, chunked=chunked)
        self.streams[conference_id].add(subscriber)
        self.per_address[address] += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a stream that ended."""
        streams = self.streams.get(subscriber.conference_id)
        if streams is not None and subscriber in streams:
            streams.discard(subscriber)
            if not streams:
                del self.streams[subscriber.conference_id]
            self.per_address[subscriber.address] -= 1
            if self.per_address[subscriber.address] <= 0:
                del self.per_address[subscriber.address]
        subscriber.close()

    def drop(self, subscriber: Subscriber) -> None:
        """Close a stream whose reader is gone or too slow (counted once)."""
        if not subscriber.done.done():
            self.dropped += 1
        if subscriber.transport is not None and not subscriber.transport.is_closing():
            subscriber.transport.abort()
        self.unsubscribe(subscriber)

    def load(self, events: list[StoredEvent]) -> None:
        """Start from the newest kept events: older ones are only in the database."""
        for event in events:
            self._keep(frame(event))
        if events:
            self.floor = events[0].id - 1

    def add(self, events: list[StoredEvent]) -> None:
        """New events, in id order: keep them and send them to every stream of their conference.
        A stream still holding more than `max_buffer` unsent bytes from before is dropped
        first; one batch (at most BATCH events) may go past it, so a burst does not drop
        readers that keep up."""
        batches: dict[int, list[Frame]] = defaultdict(list)
        for event in events:
            if event.id <= self.last_id:
                continue
            item = frame(event)
            self._keep(item)
            batches[event.conference_id].append(item)
        for conference_id, items in batches.items():
            # One write per stream for the whole batch: the frames joined once (as one chunk).
            joined = b"".join(item.raw for item in items)
            whole = Frame(items[-1].event, joined, chunk(joined))
            first = items[0].id
            for subscriber in tuple(self.streams.get(conference_id, ())):
                if subscriber.unsent() > self.max_buffer:
                    self.drop(subscriber)
                    continue
                if subscriber.held is None and subscriber.sent < first:
                    sent = subscriber.deliver(whole)
                else:  # holding its backlog, or some of these already sent: one by one
                    sent = all(subscriber.deliver(item) for item in items)
                if sent:
                    self.delivered += len(items)
                else:
                    self.drop(subscriber)

    def _keep(self, item: Frame) -> None:
        if len(self.recent) == self.recent.maxlen:
            self.floor = self.recent[0].id
        self.recent.append(item)
        self.last_id = max(self.last_id, item.id)
        conference_id = item.event.conference_id
        self.revisions[conference_id] = max(
            self.revisions.get(conference_id, 0), item.event.revision
        )

    def replay(self, conference_id: int, after: int) -> list[Frame] | None:
        """The kept events of a conference after `after`, or None when some may be older than
        what is kept in memory (ask the database)."""
        if after < self.floor:
            return None
        return [f for f in self.recent if f.id > after and f.event.conference_id == conference_id]

    def heartbeat(self) -> None:
        """A comment on every stream; a reader still behind since the last one is dropped."""
        for streams in tuple(self.streams.values()):
            for subscriber in tuple(streams):
                if subscriber.held is not None:
                    continue
                waiting = subscriber.unsent()
                stuck = waiting > self.max_buffer or (waiting and subscriber.behind)
                if stuck or not subscriber.write(HEARTBEAT):
                    self.drop(subscriber)
                else:
                    subscriber.behind = bool(waiting)

    def sweep(self) -> None:
        """Forget streams whose connection has closed."""
        for streams in tuple(self.streams.values()):
            for subscriber in tuple(streams):
                transport = subscriber.transport
                if transport is None or transport.is_closing():
                    self.unsubscribe(subscriber)

    def close_all(self) -> None:
        """End every stream (the node is stopping; clients come back with Last-Event-ID)."""
        for streams in tuple(self.streams.values()):
            for subscriber in tuple(streams):
                self.unsubscribe(subscriber)


def retry_ms(low: int = 3000, high: int = 10000) -> int:
    """How long a client waits before reconnecting: spread, so a restart is not a stampede."""
    return random.randint(low, high)
