"""The stream node: an aiohttp server for many idle connections, beside the sync app workers
(`flask --app app stream`). Its URLs:

| URL                                     | answers                                         |
|-----------------------------------------|-------------------------------------------------|
| GET /api/v1/conferences/<conf>/events   | the SSE stream (Accept: text/event-stream), or  |
|                                         | the conditional poll (?after=N, JSON)           |
| GET /api/v1/live/status                 | this node's streams, drops and memory (JSON)    |

Events are public programme facts, so the answers carry `Access-Control-Allow-Origin: *` and no
cookie is read: the embedded default serves them on their own port (LIVE_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import resource

from aiohttp import web
from aiohttp.http import HttpVersion11
from flask import Flask

from companion.live import EVENTS_RULE, STATUS_PATH
from companion.live.feed import Feed
from companion.live.hub import Frame, Hub, frame, retry_ms, sse
from companion.live.queries import StreamedConference, conference_by_slug, events_after, kept_range

#: Event ids are positive 63-bit numbers; anything else in Last-Event-ID gets a reset.
EVENT_ID = re.compile(r"[0-9]{1,18}")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: Events one poll answer or one backlog holds at most (more: the client resets).
BACKLOG_MAX = 5000
POLL_MAX = 200
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag",
}
STREAM_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx passes each event on at once
    **CORS,
}
MALFORMED = -1


class Node:
    """What a stream node holds: its hub, its feed from the database, the conferences known."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.hub = Hub(max_buffer=config["LIVE_MAX_BUFFER"])
        self.feed = Feed(app, self.hub)
        self.max_per_address: int = config["LIVE_MAX_PER_ADDRESS"]
        self.heartbeat_seconds: int = config["LIVE_HEARTBEAT_SECONDS"]
        self.proxy_count: int = config["PROXY_COUNT"]
        self.conferences: dict[str, StreamedConference] = {}
        self.tasks: list[asyncio.Task[None]] = []

    async def conference(self, slug: str) -> StreamedConference | None:
        """The conference a URL names (looked up once per node)."""
        if slug in self.conferences:
            return self.conferences[slug]
        if not SLUG.fullmatch(slug):
            return None
        found = await self.feed.read(conference_by_slug, slug)
        if found is not None:
            self.conferences[slug] = found
        return found

    async def backlog(
        self, conference: StreamedConference, after: int, limit: int
    ) -> tuple[list[Frame], str | None]:
        """The events of `conference` after `after`, or a reason to reset instead."""
        hub = self.hub
        if after == MALFORMED:
            return [], "That Last-Event-ID is not one of ours."
        if after > hub.last_id:
            await self.feed.catch_up()  # another node may have sent it a moment sooner
            if after > hub.last_id:
                return [], "That event is unknown here (the programme database was replaced)."
        frames = hub.replay(conference.id, after)
        if frames is None:
            oldest, _newest = await self.feed.read(kept_range)
            if after < oldest - 1:
                return [], "Events that old are no longer kept."
            events = await self.feed.read(
                events_after, after, conference_id=conference.id, limit=limit + 1
            )
            frames = [frame(e) for e in events]
        if len(frames) > limit or sum(len(f.raw) for f in frames) > hub.max_buffer:
            return [], "Too much has changed since; load everything afresh."
        return frames, None

    def revision(self, conference: StreamedConference) -> int:
        """The conference's newest revision this node knows of."""
        return max(conference.revision, self.hub.revisions.get(conference.id, 0))

    async def beat(self) -> None:
        """Heartbeats every LIVE_HEARTBEAT_SECONDS; closed connections forgotten every second."""
        ticks = 0
        while True:
            await asyncio.sleep(1)
            ticks += 1
            self.hub.sweep()
            if ticks % self.heartbeat_seconds == 0:
                self.hub.heartbeat()


def parse_id(raw: str | None) -> int | None:
    """An event id from Last-Event-ID or a query: None when absent, MALFORMED when not ours."""
    if raw is None or raw == "":
        return None
    return int(raw) if EVENT_ID.fullmatch(raw.strip()) else MALFORMED


def client_address(request: web.Request, proxy_count: int) -> str:
    """Whom to count a connection against: the peer, or the address the trusted proxies saw."""
    if proxy_count:
        forwarded = [
            a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxy_count:
            return forwarded[-proxy_count]
    return request.remote or "unknown"


def error(status: int, message: str, **headers: str) -> web.Response:
    """A JSON error a person can read."""
    return web.json_response({"error": message}, status=status, headers={**CORS, **headers})


NODE = web.AppKey("node", Node)


async def events(request: web.Request) -> web.StreamResponse:
    """The stream of a conference's events (or, without Accept: text/event-stream, the poll)."""
    node = request.app[NODE]
    conference = await node.conference(request.match_info["conf"])
    if conference is None:
        return error(404, "There is no conference at this address.")
    if "text/event-stream" not in request.headers.get("Accept", ""):
        return await poll(request, node, conference)
    address = client_address(request, node.proxy_count)
    if node.hub.per_address[address] >= node.max_per_address:
        return error(
            429,
            f"Too many live connections from your address ({node.max_per_address}). "
            "Close other tabs of the app, or try again in a minute.",
            **{"Retry-After": "60"},
        )
    after = parse_id(request.headers.get("Last-Event-ID", request.query.get("last_event_id")))
    # Subscribed before anything is sent: live events are held until the backlog is out.
    subscriber = node.hub.subscribe(
        conference.id, address, request.transport, chunked=request.version >= HttpVersion11
    )
    try:
        hello = {"last_id": node.hub.last_id, "revision": node.revision(conference)}
        response = web.StreamResponse(headers=STREAM_HEADERS)
        try:
            await response.prepare(request)
            await response.write(sse("hello", hello, retry=retry_ms()))  # sends the headers too
        except ConnectionResetError:  # gone before the first byte: nothing to say to anyone
            raise asyncio.CancelledError from None
        since = hello["last_id"] if after is None else after
        backlog, reason = await node.backlog(conference, since, BACKLOG_MAX)
        if reason is not None:
            # What follows is everything after `last_id`: a client resumes from it after a drop.
            last_id = hello["last_id"]
            reset = {"revision": node.revision(conference), "reason": reason, "last_id": last_id}
            subscriber.write(sse("reset", reset))
        if not subscriber.release(backlog):
            node.hub.drop(subscriber)
        await subscriber.done
    finally:
        node.hub.unsubscribe(subscriber)
    if request.transport is None or request.transport.is_closing():
        raise asyncio.CancelledError  # nothing more can be written: end quietly
    return response


async def poll(request: web.Request, node: Node, conference: StreamedConference) -> web.Response:
    """The conditional poll: the events after ?after=N, 304 when nothing is new."""
    etag = f'"live-{node.hub.last_id}"'
    headers = {**CORS, "ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    after = parse_id(request.query.get("after"))
    frames: list[Frame] = []
    reason = None
    if after is not None:
        frames, reason = await node.backlog(conference, after, POLL_MAX)
    body = {
        "last_id": node.hub.last_id,
        "revision": node.revision(conference),
        "events": [{"id": f.id, "type": f.event.kind, "data": f.event.data} for f in frames],
        "reset": reason is not None,
    }
    return web.json_response(body, headers=headers)


async def preflight(_request: web.Request) -> web.Response:
    """CORS preflight of the poll (If-None-Match) and of a reconnect (Last-Event-ID)."""
    return web.Response(
        status=204,
        headers={
            **CORS,
            "Access-Control-Allow-Methods": "GET",
            "Access-Control-Allow-Headers": "Last-Event-ID, If-None-Match, Accept",
            "Access-Control-Max-Age": "86400",
        },
    )


async def status(request: web.Request) -> web.Response:
    """This node's streams, drops, newest event and memory, for operators and benchmarks."""
    node = request.app[NODE]
    hub = node.hub
    body = {
        "connections": hub.connections,
        "addresses": len(hub.per_address),
        "conferences": {str(cid): len(s) for cid, s in hub.streams.items()},
        "delivered": hub.delivered,
        "dropped": hub.dropped,
        "last_event_id": hub.last_id,
        "listening": node.feed.listening,
        "rss_bytes": rss_bytes(),
    }
    return web.json_response(body, headers={**CORS, "Cache-Control": "no-store"})


def rss_bytes() -> int | None:
    """This process's resident memory (Linux), for memory per connection."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return None


def create_stream_app(app: Flask) -> web.Application:
    """The aiohttp application of a stream node for the Flask `app` (its settings, its database)."""
    web_app = web.Application()
    node = Node(app)
    web_app[NODE] = node
    path = EVENTS_RULE.replace("<conf>", "{conf}")
    web_app.router.add_get(path, events, allow_head=False)
    web_app.router.add_route("OPTIONS", path, preflight)
    web_app.router.add_get(STATUS_PATH, status)

    async def start(_app: web.Application) -> None:
        await node.feed.start()
        node.tasks.append(asyncio.create_task(node.beat()))

    async def close_streams(_app: web.Application) -> None:
        node.hub.close_all()

    async def stop(_app: web.Application) -> None:
        for task in node.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await node.feed.stop()

    web_app.on_startup.append(start)
    web_app.on_shutdown.append(close_streams)
    web_app.on_cleanup.append(stop)
    return web_app


def serve(app: Flask, *, host: str, port: int) -> None:
    """Serve the stream until SIGINT or SIGTERM (`flask --app app stream`)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # one descriptor per stream
    print(f"Live events stream on http://{host}:{port}/ (up to {hard} connections).", flush=True)
    web.run_app(
        create_stream_app(app),
        host=host,
        port=port,
        access_log=None,
        handler_cancellation=True,
        backlog=4096,
        shutdown_timeout=1,
        print=None,
    )
