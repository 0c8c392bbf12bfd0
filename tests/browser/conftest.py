"""A live server with the demo conference and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from companion.cli import upgrade_database
from companion.db import get_database_of
from tests.conftest import IN_CI
from tests.streams import StreamNode

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Flags Chromium needs on this closed network, as root, headless.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The demo's first morning, during the first track slot.
DEMO_NOW = "2020-03-02T10:40:00+00:00"
PHONE = {"width": 390, "height": 844}


@contextmanager
def demo_server(folder: Path, *, live: bool = False, **config: Any) -> Iterator[tuple[Flask, str]]:
    """The demo on its own SQLite file in `folder`, served from a thread on a free loopback
    port: (the app, its base URL). For tests that need an app of their own (no FIXED_NOW, or
    edits that must not reach the other tests' shared demo). `live`: with a real stream node
    beside it (its pages connect to it; `app.extensions["test.stream"]` is the node)."""
    url = f"sqlite:///{folder / 'demo.db'}"
    upgrade_database(url)
    node = StreamNode(url, folder / "stream.log") if live else None
    app = create_app(
        {
            "DATABASE_URL": url,
            "MAIL_FOLDER": str(folder / "mail"),
            "RENDER_AFTER_EDIT": True,
            **({"LIVE_URL": node.url} if node else {}),
            **config,
        }
    )
    assert app.test_cli_runner().invoke(args=["load-demo"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    if node:
        app.extensions["test.stream"] = node.start()
    try:
        yield app, app.config["PUBLIC_URL"]
    finally:
        if node:
            node.stop()
        server.shutdown()
        app.extensions["companion.renderer"].wait()
        get_database_of(app).engine.dispose()


@pytest.fixture(scope="module")
def stream_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """A demo of its own for each module (its edits reach no other test), with a stream node."""
    with demo_server(tmp_path_factory.mktemp("live"), live=True, FIXED_NOW=DEMO_NOW) as served:
        yield served


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app on its own SQLite file with the demo loaded at its real dates."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    upgrade_database(url)
    mail = tmp_path_factory.mktemp("mail")
    app = create_app(
        {
            "DATABASE_URL": url,
            "FIXED_NOW": DEMO_NOW,
            "MAIL_FOLDER": str(mail),
            "RENDER_AFTER_EDIT": True,
        }
    )
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def base_url(live_app: Flask) -> Iterator[str]:
    """The live server's address (a thread on a free loopback port)."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["PUBLIC_URL"]
    server.shutdown()
    get_database_of(live_app).engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        reason = (
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. `make test` installs "
            "Debian's chromium package (as root); run that to test in the browser."
        )
        if IN_CI:
            pytest.fail(reason + " In CI this is an error.", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh phone-sized page (390×844, touch) that records console errors."""
    options = getattr(request, "param", {})
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, **options
    )
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def sign_in_page(page: Any, base_url: str, email: str, password: str = "correct horse") -> None:
    """Sign a browser page in through the sign-in form."""
    page.goto(f"{base_url}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form.form button[type=submit]")
