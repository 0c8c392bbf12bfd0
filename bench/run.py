"""Throughput and latency of the public pages under gunicorn (2 workers), measured with wrk.

    make bench                      # or: .venv/bin/python bench/run.py [--duration 10]

Builds a fresh SQLite database with the demo (149 sessions) and a generated 1,000-session
conference, starts gunicorn with 2 workers on a free loopback port, and drives it with wrk
(4 connections, 2 threads) per scenario; also measures a bare Flask "hello" the same way, and the
gzipped weight of the programme day page with its CSS and JS. Writes bench/results/latest.md.
Only loopback is used; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
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


def wrk(url: str, seconds: int, headers: dict[str, str]) -> dict[str, float]:
    """Run wrk; return requests/s and p50/p99 latency in ms."""
    args = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "--latency"]
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


def prepare_database(path: Path) -> str:
    """A fresh database with the demo and a 1,000-session conference."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["init-db"], ["load-demo"], ["load-synthetic", "--sessions", "1000"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def main() -> None:
    """Run every scenario and write the results table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = prepare_database(RESULTS / "bench.db")
    rows: list[tuple[str, str, dict[str, float]]] = []
    gz = {"Accept-Encoding": "gzip"}

    hello, hello_base = start_gunicorn("bench.hello:app", dict(os.environ))
    try:
        rows.append(("bare Flask hello (ceiling)", "200", wrk(hello_base + "/", args.duration, {})))
    finally:
        hello.terminate()
        hello.wait()

    sizes: dict[str, int] = {}
    for cache_label, cache_size in (("cached", "512"), ("no page cache", "0")):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PAGE_CACHE_SIZE": cache_size,
            "SECRET_KEY": "bench",
        }
        proc, base = start_gunicorn("app:create_app()", env)
        try:
            for conf, day, label in (
                ("qcon-london-2020", "2020-03-02", "demo, 149"),
                ("synthetic-1000", "2030-05-06", "1,000"),
            ):
                doc = fetch(f"{base}/api/v1/conferences/{conf}/programme")
                sessions = json.loads(doc[2])["sessions"]
                guid = sessions[len(sessions) // 2]["guid"]
                pages = {
                    "programme day page": f"{base}/{conf}/programme/{day}/",
                    "session page": f"{base}/{conf}/sessions/{guid}/",
                    "programme JSON": f"{base}/api/v1/conferences/{conf}/programme",
                }
                if cache_label == "cached":  # search is never page-cached: measure it once
                    search_url = f"{base}/{conf}/search?q=microservices+lessons"
                    rows.append(
                        (f"search ({label} sessions)", "200", wrk(search_url, args.duration, gz))
                    )
                for name, page_url in pages.items():
                    _, headers, body = fetch(page_url, gz)
                    rows.append(
                        (
                            f"{name} ({label} sessions, {cache_label})",
                            "200",
                            wrk(page_url, args.duration, gz),
                        )
                    )
                    if cache_label == "cached":
                        sizes[f"{name} ({label})"] = len(body)
                        rows.append(
                            (
                                f"{name} ({label} sessions)",
                                "304",
                                wrk(
                                    page_url,
                                    args.duration,
                                    {**gz, "If-None-Match": headers["ETag"]},
                                ),
                            )
                        )
            if cache_label == "cached":
                memory = worker_rss_mib(proc)
                page = fetch(f"{base}/qcon-london-2020/programme/2020-03-02/")[2].decode()
                for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', page):
                    sizes[asset.split("?")[0]] = len(gzip.compress(fetch(base + asset)[2]))
        finally:
            proc.terminate()
            proc.wait()

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores: gunicorn "
        f"2 workers, wrk {THREADS} threads / {CONNECTIONS} connections, {args.duration} s "
        "each, loopback, gzip accepted.",
        "",
        "| scenario | answer | requests/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {status} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |"
        for name, status, r in rows
    ]
    lines += ["", "| transferred (gzip) | bytes |", "|---|---:|"]
    lines += [f"| {name} | {size:,} |" for name, size in sizes.items()]
    day_total = sizes["programme day page (demo, 149)"] + sum(
        v for k, v in sizes.items() if k.startswith("/static/")
    )
    lines += [f"| programme day page + CSS + JS (demo) | {day_total:,} |"]
    lines += [
        "",
        "Resident memory of each gunicorn worker after the cached runs: "
        + ", ".join(f"{m:.0f} MiB" for m in memory)
        + ".",
    ]
    report = "\n".join(lines) + "\n"
    (RESULTS / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
