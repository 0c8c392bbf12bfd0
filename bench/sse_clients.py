"""Many Server-Sent Events clients in one process, for bench/live.py: raw asyncio sockets that
send the GET an EventSource sends, wait for the `hello` frame, then note when each event id
arrives (time.time(), so the parent can subtract commit times taken on the same clock).

    python bench/sse_clients.py --port N --path /api/v1/conferences/<slug>/events \
        --count 5000 --source 127.0.0.2 [--record]

It answers on stdout, one JSON line per command read from stdin:
    (on start)  {"held": n, "failed": n, "seconds": s, "hello_last_id": n}
    report      {"open": n, "events": n, "ids": {id: [count, first, last]}, "times": {...}}
    forget      forget what arrived so far (the next report starts afresh)
    quit        close every connection (RST: no TIME_WAIT left for the next phase) and exit
Only loopback addresses are used; the run ends when its parent says quit or closes stdin.
`Fleet` (below) is the parent's side: it starts such processes and gathers their answers.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: An id line of a frame: each chunk of the chunked body ("<size>\r\n") ends with a line break,
#: and every data line is compact JSON, so "\nid: N\n" is nothing but an event's id.
ID = re.compile(rb"\nid: (\d+)\n")
#: Connections being opened at once.
OPENING = 256
#: SO_LINGER on, 0 s: close sends RST.
RESET = struct.pack("ii", 1, 0)


class Tally:
    """What arrived, over every connection of this process."""

    def __init__(self, *, record: bool) -> None:
        self.record = record
        self.events = 0
        #: id → [deliveries, first arrival, last arrival]
        self.ids: dict[int, list[float]] = {}
        #: id → every arrival (with --record, for latency percentiles)
        self.times: dict[int, list[float]] = {}

    def arrived(self, event_id: int, now: float) -> None:
        """One connection got one event."""
        self.events += 1
        seen = self.ids.get(event_id)
        if seen is None:
            self.ids[event_id] = [1, now, now]
        else:
            seen[0] += 1
            seen[2] = now
        if self.record:
            self.times.setdefault(event_id, []).append(now)

    def forget(self) -> None:
        """Start counting afresh."""
        self.events = 0
        self.ids.clear()
        self.times.clear()


class Client(asyncio.Protocol):
    """One stream: the request, the hello, then the ids of events."""

    def __init__(self, request: bytes, tally: Tally) -> None:
        self.request = request
        self.tally = tally
        self.transport: asyncio.Transport | None = None
        self.hello: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.buffer = b""
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer + data
        if not self.hello.done():
            if not buffer.startswith(b"HTTP/1.1 200"):
                self.hello.set_exception(ConnectionError(buffer[:60].decode(errors="replace")))
                return
            at = buffer.find(b"event: hello\ndata: ")
            end = buffer.find(b"\n", at + 19)
            if at < 0 or end < 0:
                self.buffer = buffer
                return
            hello = json.loads(buffer[at + 19 : end])
            self.hello.set_result(int(hello["last_id"]))
            buffer = buffer[end:]
        cut = buffer.rfind(b"\n")
        if cut < 0:
            self.buffer = buffer
            return
        for match in ID.finditer(buffer, 0, cut + 1):
            self.tally.arrived(int(match.group(1)), now)
        self.buffer = buffer[cut:]  # keeps the line break an id line starts with

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.hello.done():
            self.hello.set_exception(ConnectionError(f"closed before hello: {exc}"))

    def reset(self) -> None:
        """Hang up with RST."""
        if self.transport is not None and not self.transport.is_closing():
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
            self.transport.close()


async def open_all(args: argparse.Namespace, tally: Tally) -> tuple[list[Client], int, int]:
    """Open `count` streams, at most OPENING at a time; returns those that got their hello."""
    loop = asyncio.get_running_loop()
    request = (
        f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()
    gate = asyncio.Semaphore(OPENING)
    held: list[Client] = []
    failed = 0
    hello_last_id = 0

    async def one() -> None:
        nonlocal failed, hello_last_id
        async with gate:
            try:
                _transport, client = await loop.create_connection(
                    lambda: Client(request, tally),
                    "127.0.0.1",
                    args.port,
                    local_addr=(args.source, 0),
                )
                hello_last_id = max(hello_last_id, await asyncio.wait_for(client.hello, 60))
                held.append(client)
            except (OSError, ConnectionError, TimeoutError) as error:
                failed += 1
                if failed <= 3:
                    print(f"sse_clients {args.source}: {error!r}", file=sys.stderr)

    await asyncio.gather(*(one() for _ in range(args.count)))
    return held, failed, hello_last_id


def answer(body: dict[str, Any]) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(body, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    """Open the streams, then follow the parent's commands."""
    tally = Tally(record=args.record)
    started = time.monotonic()
    held, failed, hello_last_id = await open_all(args, tally)
    answer(
        {
            "held": len(held),
            "failed": failed,
            "seconds": round(time.monotonic() - started, 3),
            "hello_last_id": hello_last_id,
        }
    )
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while True:
        line = (await commands.readline()).decode().strip()
        if line == "report":
            answer(
                {
                    "open": sum(not c.closed for c in held),
                    "events": tally.events,
                    "ids": tally.ids,
                    "times": tally.times,
                }
            )
        elif line == "forget":
            tally.forget()
            answer({"forgot": True})
        else:  # "quit", or the parent went away
            for client in held:
                client.reset()
            await asyncio.sleep(0.2)
            answer({"quit": True})
            return


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source", default="127.0.0.1", help="a loopback source address")
    parser.add_argument("--record", action="store_true", help="keep every arrival time")
    args = parser.parse_args()
    if not args.source.startswith("127."):
        parser.error("loopback source addresses only")
    return args


# The parent's side (bench/live.py).

CLIENTS = Path(__file__).resolve()
#: Source addresses, one per client process and phase, so no phase waits on another's ports.
SOURCES = (f"127.{b}.{c}.{d}" for b, c, d in itertools.product(range(1, 255), repeat=3))


class Fleet:
    """Client processes holding `total` streams between them."""

    def __init__(
        self, port: int, total: int, processes: int, conference: str, *, record: bool = False
    ) -> None:
        per = [total // processes + (n < total % processes) for n in range(processes)]
        path = f"/api/v1/conferences/{conference}/events"
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(CLIENTS), "--port", str(port), "--path", path]
                + ["--count", str(count), "--source", next(SOURCES)]
                + (["--record"] if record else []),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for count in per
        ]
        self.ready = [self._read(proc) for proc in self.procs]
        self.held = sum(r["held"] for r in self.ready)
        self.failed = sum(r["failed"] for r in self.ready)
        self.open_seconds = max(r["seconds"] for r in self.ready)

    @staticmethod
    def _read(proc: subprocess.Popen[str]) -> dict[str, Any]:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("a client process stopped")
        return dict(json.loads(line))

    def ask(self, command: str) -> list[dict[str, Any]]:
        """Send a command to every process; their answers."""
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(command + "\n")
            proc.stdin.flush()
        return [self._read(proc) for proc in self.procs]

    def arrivals(self) -> tuple[int, dict[int, list[float]], dict[int, list[float]]]:
        """Streams still open; per event id [deliveries, first, last]; every arrival time."""
        reports = self.ask("report")
        ids: dict[int, list[float]] = {}
        times: dict[int, list[float]] = {}
        for report in reports:
            for key, (count, first, last) in report["ids"].items():
                seen = ids.setdefault(int(key), [0, first, last])
                seen[0] += count
                seen[1], seen[2] = min(seen[1], first), max(seen[2], last)
            for key, values in report["times"].items():
                times.setdefault(int(key), []).extend(values)
        return sum(r["open"] for r in reports), ids, times

    def cpu(self) -> float:
        """User + system CPU of the client processes so far."""
        return sum(cpu_of(proc.pid) for proc in self.procs)

    def quit(self) -> None:
        """Hang up every stream and wait for the processes."""
        self.ask("quit")
        for proc in self.procs:
            proc.wait(timeout=30)


def cpu_of(pid: int) -> float:
    """A process's user + system CPU so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: The kernel's caches that grow by one object per open TCP socket.
SOCKET_SLABS = ("TCP", "sock_inode_cache", "filp", "dentry")


def slab_bytes() -> int:
    """Bytes in the kernel's per-socket caches (/proc/slabinfo: active objects × size)."""
    total = 0
    for line in Path("/proc/slabinfo").read_text().splitlines()[2:]:
        name, active, _count, size, *_ = line.split()
        if name in SOCKET_SLABS:
            total += int(active) * int(size)
    return total


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent busy, all cores (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def kernel() -> dict[str, str]:
    """The kernel's view of TCP: /proc/net/sockstat and `ss -s`."""
    sockstat = Path("/proc/net/sockstat").read_text().strip()
    ss = subprocess.run(["ss", "-s"], capture_output=True, text=True).stdout.strip()
    return {"sockstat": sockstat, "ss": ss}


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(parse()))
