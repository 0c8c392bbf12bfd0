"""The installable app in Chromium: first-visit weight, repeat visits, offline copy, Lighthouse.

    .venv/bin/python bench/pwa.py          # `make bench` runs it too

- first visit of the home page (the demo): bytes transferred by the page itself (document, CSS, JS,
  icons, API calls), measured with the DevTools protocol, and the size of the offline copy that the
  service worker then fetches in the background;
- repeat visit: how many app-shell requests still reach the network (target: none);
- Lighthouse (installed from npm into bench/.node on first use) on the programme page: performance,
  accessibility, best practices.
Only loopback is used.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, RESULTS, ROOT, start_gunicorn

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NODE_DIR = ROOT / "bench" / ".node"
DEMO_NOW = "2020-03-02T10:40:00+00:00"


def prepare() -> str:
    """A fresh SQLite database with the demo."""
    path = RESULTS / "pwa.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["init-db"], ["load-demo"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def browser_figures(base: str) -> dict[str, object]:
    """First visit bytes, repeat-visit network requests for the shell, offline copy size."""
    from playwright.sync_api import sync_playwright

    figures: dict[str, object] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            bypass_csp=True,  # wait_for_function polls with eval
            device_scale_factor=3,
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        page.goto(f"{base}/qcon-london-2020/", wait_until="networkidle")
        figures["first_visit_bytes"] = sum(sizes.values())
        figures["first_visit_requests"] = {
            urls.get(k, k).replace(base, ""): v for k, v in sizes.items()
        }
        page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=120_000)
        network_shell: list[str] = []
        page.on(
            "response",
            lambda r: (
                "/static/" in r.url and not r.from_service_worker and network_shell.append(r.url)
            ),
        )
        page.goto(f"{base}/qcon-london-2020/programme/2020-03-03/", wait_until="networkidle")
        page.goto(f"{base}/qcon-london-2020/", wait_until="networkidle")
        figures["repeat_visit_shell_requests_to_network"] = len(network_shell)
        browser.close()
    listing = json.loads(
        urllib.request.urlopen(f"{base}/api/v1/conferences/qcon-london-2020/offline").read()
    )
    total = 0
    for url in listing["pages"]:
        request = urllib.request.Request(base + url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            total += (
                len(body)
                if response.headers.get("Content-Encoding") == "gzip"
                else len(gzip.compress(body))
            )
    figures["offline_copy_pages"] = len(listing["pages"])
    figures["offline_copy_bytes_gzip"] = total
    return figures


def lighthouse(url: str) -> dict[str, float] | None:
    """Lighthouse category scores (0–100) for `url`, or None when it cannot be installed."""
    binary = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            return None
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_DIR),
                "lighthouse@12",
            ],
            check=True,
        )
    output = RESULTS / "lighthouse-programme.json"
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            "--only-categories=performance,accessibility,best-practices",
            f"--chrome-flags=--headless=new {' '.join(ARGS)}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    report = json.loads(output.read_text())
    return {name: round(category["score"] * 100) for name, category in report["categories"].items()}


def main() -> None:
    """Measure and write bench/results/pwa.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = prepare()
    env = {**os.environ, "DATABASE_URL": url, "COMPANION_NOW": DEMO_NOW, "SECRET_KEY": "bench"}
    proc, base = start_gunicorn("app:create_app()", env)
    try:
        figures = browser_figures(base)
        scores = lighthouse(f"{base}/qcon-london-2020/programme/2020-03-02/")
    finally:
        proc.terminate()
        proc.wait()
    lines = [
        f"- First visit of the home page: {figures['first_visit_bytes']:,} bytes transferred "
        f"({len(figures['first_visit_requests'])} requests).",  # type: ignore[arg-type]
        f"- Offline copy fetched afterwards by the service worker: "
        f"{figures['offline_copy_pages']} pages, {figures['offline_copy_bytes_gzip']:,} bytes "
        "gzipped.",
        f"- Repeat visits: {figures['repeat_visit_shell_requests_to_network']} app-shell "
        "requests reached the network.",
    ]
    if scores:
        lines.append(
            "- Lighthouse (mobile), programme day page: "
            + ", ".join(f"{name} {score:.0f}" for name, score in scores.items())
            + "."
        )
    lines.append("")
    lines.append(
        "First-visit requests (bytes): "
        + ", ".join(
            f"{path} {size:,}"
            for path, size in figures["first_visit_requests"].items()  # type: ignore[attr-defined]
        )
    )
    report = "\n".join(lines) + "\n"
    (RESULTS / "pwa.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
