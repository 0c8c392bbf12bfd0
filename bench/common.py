"""What every benchmark shares: gunicorn on a free loopback port, wrk, fetching, memory.

Only loopback addresses are used, and every wrk run is bounded in time.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
CONNECTIONS = 4
THREADS = 2


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with 2 workers; returns the process and its base URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    return proc, base


def worker_rss_mib(master: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MiB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)  # type: ignore[union-attr]
    return sizes


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `url`, returning status, headers and body (a 304 is not an error here)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def wrk(
    url: str, seconds: int, headers: dict[str, str], script: Path | None = None
) -> dict[str, float]:
    """Run wrk (optionally with a Lua `script`); return requests/s and p50/p99 latency in ms."""
    args = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    # One warm-up second first, so every worker has its page cache and connections ready.
    subprocess.run([*args, "-d", "1s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*args, "-d", f"{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"wrk saw errors for {url}:\n{out}")

    def latency(pct: str) -> float:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": latency("50"), "p99": latency("99")}


def flask_commands(url: str, *commands: list[str], secret: str | None = None) -> None:
    """Run `flask --app app` commands (init-db, load-demo, …) against `url`."""
    env = {**os.environ, "DATABASE_URL": url}
    if secret:
        env["SECRET_KEY"] = secret
    for command in commands:
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
