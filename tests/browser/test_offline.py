"""The installable app offline, in a real Chromium at phone size: the service worker keeps the whole
programme, stars made offline are kept and replayed, and a changed programme reaches the phone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk
from tests.browser.conftest import PHONE
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"


@pytest.fixture
def app_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh phone context that has opened the programme once, online, and saved it."""
    # bypass_csp: Playwright's wait_for_function polls with eval, which our CSP rightly forbids.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    yield page
    context.close()


def _talk(app: Flask, title_start: str) -> Talk:
    with get_database_of(app).sessionmaker() as db:
        return db.execute(select(Talk).where(Talk.title.startswith(title_start))).scalar_one()


def _wait_until_synced(page: Any, timeout: float = 30.0) -> None:
    """Wait until the offline queue is empty (evaluate awaits the IndexedDB promise)."""
    deadline = time.monotonic() + timeout
    while page.evaluate("window.ccOffline.queue.all().then(q => q.length)") != 0:
        assert time.monotonic() < deadline, "offline stars were not sent"
        page.wait_for_timeout(100)


def _server_stars(page: Any) -> list[str]:
    return list(
        page.evaluate(
            "fetch('/api/v1/me', {cache: 'no-store'}).then(r => r.json()).then(me => me.stars)"
        )
    )


def test_manifest_and_service_worker_make_it_installable(app_page: Any, base_url: str) -> None:
    manifest = app_page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/?source=pwa"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    state = app_page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)")
    assert state == "activated"
    cdp = app_page.context.new_cdp_session(app_page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chromium never offers to install.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []


def test_every_public_page_opens_offline(live_app: Flask, app_page: Any, base_url: str) -> None:
    never_opened = _talk(live_app, "Tesla Virtual Power Plant")
    app_page.context.set_offline(True)
    for path, expected in [
        (f"{CONF}/programme/2020-03-03/", "Programme"),
        (f"{CONF}/sessions/{never_opened.guid}/", "Tesla Virtual Power Plant"),
        (f"{CONF}/speakers/akhilesh-gupta/", "Akhilesh Gupta"),
        (f"{CONF}/rooms/fleming/", "Fleming"),
        (f"{CONF}/tracks/", "Tracks"),
        (f"{CONF}/my/", "My schedule"),
    ]:
        app_page.goto(base_url + path)
        assert expected in app_page.locator("h1").first.inner_text(), path
    assert "You are offline." in app_page.locator('[data-banner="offline"]').inner_text()
    app_page.context.set_offline(False)


def test_stars_made_offline_reach_the_server(live_app: Flask, app_page: Any, base_url: str) -> None:
    first, second = (_talk(live_app, t).guid for t in ("Kafka Without the Ops", "Open Space: Stre"))
    app_page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    app_page.wait_for_selector("html[data-stars-ready]", state="attached")
    app_page.context.set_offline(True)
    for guid in (first, second):
        button = app_page.locator(f"[data-timeline] form[data-guid='{guid}'] button")
        button.click()
        app_page.wait_for_function(
            "g => document.querySelector(`[data-timeline] form[data-guid='${g}'] button`)"
            ".getAttribute('aria-pressed') === 'true'",
            arg=guid,
        )
    assert app_page.evaluate("window.ccOffline.queue.all().then(q => q.length)") == 2
    app_page.context.set_offline(False)
    _wait_until_synced(app_page)
    assert {first, second} <= set(_server_stars(app_page))

    app_page.context.set_offline(True)
    app_page.locator(f"[data-timeline] form[data-guid='{first}'] button").click()
    deadline = time.monotonic() + 10
    while app_page.evaluate("window.ccOffline.queue.all().then(q => q.length)") != 1:
        assert time.monotonic() < deadline, "the offline unstar was not queued"
        app_page.wait_for_timeout(50)
    app_page.reload()
    pressed = app_page.locator(f"[data-timeline] form[data-guid='{first}'] button")
    app_page.wait_for_function("window.ccOffline !== undefined")
    app_page.wait_for_function(
        "g => document.querySelector(`[data-timeline] form[data-guid='${g}'] button`)"
        ".getAttribute('aria-pressed') === 'false'",
        arg=first,
    )
    assert pressed.get_attribute("aria-pressed") == "false"
    still = app_page.locator(f"[data-timeline] form[data-guid='{second}'] button")
    assert still.get_attribute("aria-pressed") == "true"
    app_page.context.set_offline(False)
    _wait_until_synced(app_page)
    stars = set(_server_stars(app_page))
    assert first not in stars and second in stars


def test_a_changed_programme_reaches_a_saved_page(
    live_app: Flask, app_page: Any, base_url: str
) -> None:
    talk = _talk(live_app, "Tesla Virtual Power Plant")
    url = f"{base_url}{CONF}/sessions/{talk.guid}/"
    app_page.goto(url)
    assert app_page.locator("h1").inner_text() == "Tesla Virtual Power Plant"
    with get_database_of(live_app).sessionmaker() as db:
        db.get(Talk, talk.id).title = "Tesla Virtual Power Plant (moved to the big room)"  # type: ignore[union-attr]
        db.commit()
    try:
        app_page.reload()  # the saved copy shows at once; the service worker checks the revision
        app_page.locator('[data-banner="update"] [data-reload]').click(timeout=30_000)
        app_page.wait_for_load_state()
        assert app_page.locator("h1").inner_text().endswith("(moved to the big room)")
        app_page.context.set_offline(True)
        app_page.reload()
        assert app_page.locator("h1").inner_text().endswith("(moved to the big room)")
        app_page.context.set_offline(False)
    finally:
        with get_database_of(live_app).sessionmaker() as db:
            db.get(Talk, talk.id).title = "Tesla Virtual Power Plant"  # type: ignore[union-attr]
            db.commit()


def test_after_an_edit_the_copy_fetches_only_what_changed(
    live_app: Flask, app_page: Any, base_url: str
) -> None:
    """Issue 15: after one retitled session the worker asks for the changes since the revision
    it holds and patches the pages it has: a few requests and kilobytes in all (before: every
    page, 353 requests and 843 KiB; then, with validators, 353 requests of which 5 bodies)."""
    answers: list[tuple[str, int, int]] = []
    inner = live_app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        status: list[int] = []

        def start(line: str, headers: Any, *args: Any) -> Any:
            status.append(int(line.split()[0]))
            return start_response(line, headers, *args)

        body = b"".join(inner(environ, start))
        answers.append((environ.get("PATH_INFO", ""), status[0], len(body)))
        return [body]

    talk = _talk(live_app, "Tesla Virtual Power Plant")
    page_url = f"{CONF}/sessions/{talk.guid}/"
    live_app.wsgi_app = recording  # type: ignore[method-assign]
    try:
        with get_database_of(live_app).sessionmaker() as db:
            db.get(Talk, talk.id).title = "Tesla Virtual Power Plant, retitled"  # type: ignore[union-attr]
            db.commit()
        app_page.reload()
        app_page.locator('[data-banner="update"]').wait_for(timeout=60_000)
        held = ""
        deadline = time.monotonic() + 60
        while "retitled" not in held and time.monotonic() < deadline:
            held = app_page.evaluate(f"caches.match('{page_url}').then(r => r.text())")
            app_page.wait_for_timeout(100)
    finally:
        live_app.wsgi_app = inner  # type: ignore[method-assign]
        with get_database_of(live_app).sessionmaker() as db:
            db.get(Talk, talk.id).title = "Tesla Virtual Power Plant"  # type: ignore[union-attr]
            db.commit()
    assert "Tesla Virtual Power Plant, retitled" in held
    assert [path for path, _, _ in answers if path.startswith(f"{CONF}/")] == []
    assert any(path.endswith("/offline/changes") for path, _, _ in answers), answers
    assert len(answers) <= 12, answers
    assert sum(size for _, _, size in answers) <= 40 * 1024, answers


def test_a_new_app_version_takes_over_when_the_attendee_agrees(
    live_app: Flask, app_page: Any, base_url: str
) -> None:
    old_build = live_app.config["BUILD_ID"]
    old_caches = app_page.evaluate("caches.keys()")
    assert f"shell-{old_build}" in old_caches
    # A deploy is a new process: let this one's renders of the old build finish first.
    live_app.extensions["companion.renderer"].wait()
    live_app.config["BUILD_ID"] = "next-build-for-test"
    try:
        app_page.evaluate("navigator.serviceWorker.ready.then(r => r.update())")
        update = app_page.locator('[data-banner="update"] [data-update]')
        update.wait_for(timeout=30_000)
        with app_page.expect_navigation(timeout=30_000):  # the new worker takes over: reload
            update.click()
        app_page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)
        keys = app_page.evaluate("caches.keys()")
        assert f"shell-{old_build}" not in keys and f"pages-{old_build}" not in keys
        assert "pages-next-build-for-test" in keys
    finally:
        live_app.config["BUILD_ID"] = old_build


def test_signing_out_forgets_the_saved_private_pages(
    live_app: Flask, app_page: Any, base_url: str
) -> None:
    app_page.goto(f"{base_url}/register")
    app_page.fill("#f-email", "offline.signout@example.org")
    app_page.fill("#f-password", "correct horse battery")
    app_page.fill("#f-confirm", "correct horse battery")
    app_page.click("form.form button[type=submit]")
    assert app_page.url.endswith(f"{CONF}/my/")
    app_page.goto(f"{base_url}{CONF}/my/")
    saved = f"caches.match('{CONF}/my/', {{cacheName: 'private'}}).then(r => r ? r.text() : '')"
    assert "Signed in as" in app_page.evaluate(saved)
    app_page.goto(f"{base_url}/settings/")
    app_page.click("form[data-sign-out] button")
    app_page.wait_for_load_state()
    assert "Signed in as" not in app_page.evaluate(saved)  # gone, or a signed-out copy
    app_page.context.set_offline(True)
    app_page.goto(f"{base_url}{CONF}/my/")
    assert "offline.signout@example.org" not in app_page.content()
    assert "Signed in as" not in app_page.content()
    app_page.context.set_offline(False)


def _search_from_the_header(page: Any, words: str) -> None:
    page.fill("#appbar-q", words)
    with page.expect_navigation():
        page.press("#appbar-q", "Enter")


def test_search_results_come_from_the_network_once_the_worker_runs(
    app_page: Any, base_url: str
) -> None:
    # The worker holds the bare search page; a search must never be answered with it.
    assert app_page.evaluate("caches.match('/qcon-london-2020/search').then(r => !!r)")
    _search_from_the_header(app_page, "microservices")
    assert app_page.evaluate("navigator.serviceWorker.controller !== null")
    found = app_page.locator("main [role=status]").inner_text()
    assert found.endswith("results for “microservices”.") and "offline" not in found, found
    assert app_page.locator("main .card.talk").count() > 0
    _search_from_the_header(app_page, "kafka")
    assert "results for “kafka”." in app_page.locator("main [role=status]").inner_text()
    # Nothing made for a query is kept: the next search asks the network again.
    kept = app_page.evaluate(
        "caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys())))).then(all => all.flat().map(r => r.url)"
        ".filter(u => u.includes('q=')))"
    )
    assert kept == []

    # Offline, the worker answers with the offline search page, which searches the saved
    # programme (docs/search.md); back online, the same address comes from the server again.
    app_page.context.set_offline(True)
    _search_from_the_header(app_page, "serverless")
    assert app_page.url.endswith("/search?q=serverless")
    app_page.wait_for_selector("#found-sessions", timeout=15_000)
    status = app_page.locator("main .search-status").inner_text()
    assert status.startswith("Searching offline") and "for “serverless”." in status, status
    assert app_page.locator("main .card.talk").count() > 0
    app_page.screenshot(path=str(SHOTS / "search-offline.png"), full_page=True)
    app_page.context.set_offline(False)
    app_page.reload()
    status = app_page.locator("main [role=status]").inner_text()
    assert status.endswith("results for “serverless”.") and "offline" not in status, status


def test_a_filtered_day_page_opens_offline_filtered(app_page: Any, base_url: str) -> None:
    track = "streaming-data-architectures"
    app_page.context.set_offline(True)
    app_page.goto(f"{base_url}{CONF}/programme/2020-03-02/?track={track}")
    cards = app_page.locator("[data-timeline] .talk")
    shown = app_page.locator("[data-timeline] .talk:not([hidden])")
    assert 0 < shown.count() < cards.count()
    assert all(card.get_attribute("data-track") == track for card in shown.all())
    app_page.context.set_offline(False)


def test_a_password_reset_page_is_never_kept_by_the_service_worker(
    live_app: Flask, app_page: Any, base_url: str
) -> None:
    from pathlib import Path

    from werkzeug.security import generate_password_hash

    from companion.accounts.models import User

    with get_database_of(live_app).sessionmaker() as db:
        db.add(User(email="offline.reset@example.org", password_hash=generate_password_hash("x")))
        db.commit()
    folder = Path(live_app.config["MAIL_FOLDER"])
    before = set(folder.glob("*.eml"))
    app_page.goto(f"{base_url}/login")
    app_page.click("text=Forgot password?")
    app_page.fill("#f-email", "offline.reset@example.org")
    app_page.click("form.form button[type=submit]")
    assert "Check your mail" in app_page.content()
    (mail,) = set(folder.glob("*.eml")) - before
    link = "/password-reset/" + mail.read_text().split("/password-reset/")[1].split()[0]
    app_page.goto(f"{base_url}{link}")
    app_page.fill("#f-password", "a brand new secret")
    app_page.fill("#f-confirm", "a brand new secret")
    app_page.click("form.form button[type=submit]")
    app_page.wait_for_load_state()
    assert "Your password is set" in app_page.content()
    again = app_page.goto(f"{base_url}{link}")
    assert again.status == 410 and "expired or was already used" in app_page.content()
    kept = app_page.evaluate(f"caches.match('{link}').then(r => Boolean(r))")
    assert kept is False  # a link with a secret in it stays out of Cache Storage
