"""A real stream node for tests (`flask --app app stream` in a subprocess on a free loopback
port) and a small Server-Sent Events client that reads its frames as a browser would."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StreamNode:
    """A stream server process on `database_url`; `env` adds to its environment."""

    def __init__(
        self, database_url: str, log: Path, *, port: int | None = None, **env: str
    ) -> None:
        self.database_url = database_url
        self.log = log
        self.port = port or free_port()
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The node's origin."""
        return f"http://127.0.0.1:{self.port}"

    def events_url(self, conference: str) -> str:
        """The stream URL of a conference."""
        return f"{self.url}/api/v1/conferences/{conference}/events"

    def start(self) -> StreamNode:
        """Start the process and wait until it answers."""
        environment = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "stream-test",
            "LIVE_POLL_MS": "20",
            "LIVE_URL": "same",
            **self.env,
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("flask")),
                "--app",
                "app",
                "stream",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
        )
        for _ in range(200):
            if self.process.poll() is not None:
                raise RuntimeError(f"the stream node stopped: {self.log.read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}/api/v1/live/status", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"the stream node did not answer: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, as a deploy would)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> StreamNode:
        """Stop, then start again on the same port."""
        self.stop()
        return self.start()

    def status(self) -> dict[str, Any]:
        """The node's /api/v1/live/status."""
        answer = requests.get(f"{self.url}/api/v1/live/status", timeout=5)
        answer.raise_for_status()
        return dict(answer.json())


@dataclass
class Event:
    """One frame read from a stream."""

    kind: str
    data: Any
    id: int | None = None
    retry: int | None = None


@dataclass
class EventStream:
    """An open stream, read frame by frame (comments are counted, not returned)."""

    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection
    comments: int = 0
    last_id: int | None = None
    seen: list[Event] = field(default_factory=list)

    def next(self, timeout: float = 5.0) -> Event:
        """The next event (TimeoutError when none comes in time)."""
        sock = self.connection.sock
        assert sock is not None
        deadline = time.monotonic() + timeout
        fields: dict[str, str] = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event")
            sock.settimeout(left)
            try:
                line = self.response.readline()
            except TimeoutError:
                raise TimeoutError("no event") from None
            if not line:
                raise ConnectionError("the stream ended")
            text = line.decode().rstrip("\n")
            if text.startswith(":"):
                self.comments += 1
                continue
            if text:
                name, _, value = text.partition(": ")
                fields[name] = value
                continue
            if not fields:
                continue
            event = Event(
                kind=fields.get("event", "message"),
                data=json.loads(fields["data"]) if "data" in fields else None,
                id=int(fields["id"]) if "id" in fields else None,
                retry=int(fields["retry"]) if "retry" in fields else None,
            )
            if event.id is not None:
                self.last_id = event.id
            self.seen.append(event)
            return event

    def until(self, kind: str, timeout: float = 5.0) -> Event:
        """The next event of `kind`, skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            if event.kind == kind:
                return event

    def close(self) -> None:
        """Hang up."""
        self.connection.close()


def open_stream(url: str, *, last_event_id: int | str | None = None, **headers: str) -> EventStream:
    """Open a stream as EventSource does (Accept: text/event-stream, Last-Event-ID)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    sent = {"Accept": "text/event-stream", **headers}
    if last_event_id is not None:
        sent["Last-Event-ID"] = str(last_event_id)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", path, headers=sent)
    response = connection.getresponse()
    if response.status != 200:
        body = response.read()
        connection.close()
        raise StreamRefused(response.status, json.loads(body or b"{}"), dict(response.getheaders()))
    return EventStream(response, connection)


class StreamRefused(Exception):
    """The stream answered with an error status."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers
