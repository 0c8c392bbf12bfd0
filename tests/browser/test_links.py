"""A session's slides, recording and live stream, and a speaker's links, in a real Chromium at
phone and desktop size, light and dark: shown as buttons and named links, accessible (axe), not
scrolling sideways. Screenshots: bench/results/screenshots/session-links-*.png and
speaker-links-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.links import Link
from companion.programme.models import Speaker, Talk
from tests.browser.conftest import DEMO_NOW, demo_server, sign_in_page
from tests.browser.test_pages import SHOTS

SESSION_LINKS = [
    ("slides", "https://qconlondon.example/slides/streaming-a-million.pdf", ""),
    ("recording", "https://www.infoq.example/presentations/streaming-a-million/", ""),
    ("stream", "https://live.qconlondon.example/fleming", ""),
    ("other", "https://engineering.linkedin.example/blog/streaming", "The engineering blog post"),
]
SPEAKER_LINKS = [
    ("website", "https://akhilesh.example/", ""),
    ("mastodon", "https://hachyderm.example/@akhilesh", ""),
    ("github", "https://github.com/akhilesh-example", ""),
    ("linkedin", "https://www.linkedin.com/in/akhilesh-example", ""),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, str]]:
    """A demo of its own where "Streaming a Million…" and its speaker have links."""
    with demo_server(tmp_path_factory.mktemp("links"), FIXED_NOW=DEMO_NOW) as (app, url):
        with get_database_of(app).sessionmaker() as db:
            talk = db.execute(
                select(Talk).where(Talk.title.startswith("Streaming a Million"))
            ).scalar_one()
            speaker = db.execute(
                select(Speaker).where(Speaker.slug == "akhilesh-gupta")
            ).scalar_one()
            db.add_all(
                Link(
                    conference_id=talk.conference_id,
                    talk_id=talk.id,
                    kind=k,
                    url=u,
                    title=t,
                    position=n,
                )
                for n, (k, u, t) in enumerate(SESSION_LINKS)
            )
            db.add_all(
                Link(
                    conference_id=talk.conference_id,
                    speaker_id=speaker.id,
                    kind=k,
                    url=u,
                    title=t,
                    position=n,
                )
                for n, (k, u, t) in enumerate(SPEAKER_LINKS)
            )
            guid = talk.guid
            db.commit()
        yield app, url, guid


def _look(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    wide = page.viewport_size["width"] > 600
    page.screenshot(
        path=str(SHOTS / f"{name}{'-dark' if dark else ''}{'-desktop' if wide else ''}.png"),
        full_page=True,
    )
    assert page.console_errors == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways ({width}px)"
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


SCHEMES = [{"color_scheme": "light"}, {"color_scheme": "dark"}]


@pytest.mark.parametrize("phone", SCHEMES, indirect=True, ids=str)
def test_the_session_page_shows_slides_recording_and_watch_live(
    linked: tuple[Flask, str, str], phone: Any
) -> None:
    _, url, guid = linked
    assert phone.goto(f"{url}/qcon-london-2020/sessions/{guid}/").status == 200
    for name, href, _ in zip(
        ("Slides", "Recording", "Watch live", "The engineering blog post"),
        (u for _, u, _ in SESSION_LINKS),
        SESSION_LINKS,
        strict=True,
    ):
        link = phone.get_by_role("link", name=f"{name} (opens another site)")
        assert link.is_visible(), name
        assert link.get_attribute("href") == href
        assert link.get_attribute("rel") == "noopener external"
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44  # a thumb's target
    _look(phone, "session-links")


@pytest.mark.parametrize("phone", SCHEMES, indirect=True, ids=str)
def test_the_speaker_page_names_each_link(linked: tuple[Flask, str, str], phone: Any) -> None:
    _, url, _ = linked
    assert phone.goto(f"{url}/qcon-london-2020/speakers/akhilesh-gupta/").status == 200
    links = phone.get_by_role("list", name="Akhilesh Gupta elsewhere").get_by_role("link")
    names = [" ".join(n.split()) for n in links.all_inner_texts()]
    assert names == [
        f"{name} (opens another site)"
        for name in (
            "Website akhilesh.example",
            "Mastodon hachyderm.example",
            "GitHub github.com",
            "LinkedIn linkedin.com",
        )
    ]
    assert phone.get_by_role("link", name="Edit links").is_hidden()  # for hosts only
    _look(phone, "speaker-links")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_pages_at_desktop_size(
    linked: tuple[Flask, str, str], browser: Any, scheme: str
) -> None:
    _, url, guid = linked
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    try:
        page.goto(f"{url}/qcon-london-2020/sessions/{guid}/")
        assert page.get_by_role("link", name="Watch live (opens another site)").is_visible()
        _look(page, "session-links")
        page.goto(f"{url}/qcon-london-2020/speakers/akhilesh-gupta/")
        assert page.get_by_role("link", name="GitHub github.com (opens another site)").is_visible()
        _look(page, "speaker-links")
    finally:
        context.close()


@pytest.mark.parametrize("phone", SCHEMES, indirect=True, ids=str)
def test_an_organiser_adds_a_speakers_link_and_the_page_shows_it(
    linked: tuple[Flask, str, str], phone: Any
) -> None:
    app, url, guid = linked
    runner = app.test_cli_runner()
    for args in (
        ["create-user", "lin@example.org", "--name", "Lin", "--password", "correct horse"],
        ["grant", "lin@example.org", "--conference", "qcon-london-2020", "--organiser"],
    ):
        runner.invoke(args=args)  # the second scheme finds them made
    sign_in_page(phone, url, "lin@example.org")
    phone.goto(f"{url}/qcon-london-2020/sessions/{guid}/")
    phone.goto(f"{url}/qcon-london-2020/host/sessions/{guid}/")
    assert phone.locator("input[name=link_url]").first.input_value() == SESSION_LINKS[0][1]
    _look(phone, "session-links-editor")
    phone.goto(f"{url}/qcon-london-2020/speakers/akhilesh-gupta/")
    phone.get_by_role("link", name="Edit links").click()  # shown to an organiser by app.js
    blank = phone.locator("input[name=link_url][value='']").first
    blank.fill("https://akhilesh.example/talks")
    _look(phone, "speaker-links-editor")
    phone.get_by_role("button", name="Save links").click()
    phone.wait_for_url("**/speakers/akhilesh-gupta/")
    with get_database_of(app).sessionmaker() as db:
        assert db.execute(
            select(Link.kind).where(Link.url == "https://akhilesh.example/talks")
        ).scalars().all() in (["website"], ["website", "website"])
    # The server's page (the service worker may show its copy until it syncs: docs/offline.md).
    page = phone.request.get(f"{url}/qcon-london-2020/speakers/akhilesh-gupta/").text()
    assert 'href="https://akhilesh.example/talks"' in page
