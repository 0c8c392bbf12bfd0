"""Speakers' photos from an imported schedule.json in Chromium (issue 18): an organiser uploads
the programme's own export with an `avatar` for two speakers, one on an allowed host (the test's
image server) and one not; the preview says so, the import sets the one photo, the result page
says so, and the speaker page shows it. Screenshots at 390×844 and 1280×800, light and dark."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import PHONE, demo_server, sign_in_page
from tests.browser.test_pages import SHOTS
from tests.photos.images import photo_like
from tests.photos.server import ImageServer, image_server

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def pictures() -> Iterator[ImageServer]:
    """The image server, serving Sam Newman's photo."""
    with image_server() as server:
        server.serve("/sam.jpg", photo_like(1200))
        yield server


@pytest.fixture(scope="module")
def import_demo(tmp_path_factory: pytest.TempPathFactory, pictures: ImageServer) -> Any:
    """A demo of its own whose imports may fetch from the image server (localhost)."""
    with demo_server(
        tmp_path_factory.mktemp("photo-import"),
        FIXED_NOW="2020-03-02T10:40:00+00:00",
        PHOTO_IMPORT_HOSTS=("localhost",),
        PHOTO_IMPORT_ALLOW_LOCAL=True,
    ) as served:
        yield served


def _with_avatars(document: dict[str, Any], avatars: dict[str, str]) -> bytes:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("name") in avatars and "biography" in value:
                value["avatar"] = avatars[value["name"]]
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return json.dumps(document).encode()


def _signed_in(browser: Any, base_url: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(**options)
    page = context.new_page()
    sign_in_page(page, base_url, "pat@example.org")
    return context, page


def test_an_import_sets_an_allowed_photo_and_says_what_it_left_out(
    browser: Any, import_demo: tuple[Flask, str], pictures: ImageServer
) -> None:
    app, base_url = import_demo
    runner = app.test_cli_runner()
    for args in (
        ["create-user", "pat@example.org", "--name", "Pat", "--password", "correct horse"],
        ["grant", "pat@example.org", "--conference", CONF, "--organiser"],
    ):
        assert runner.invoke(args=args).exit_code == 0
    exported = app.test_client().get(f"/{CONF}/schedule.json").json
    data = _with_avatars(
        exported,
        {
            "Sam Newman": pictures.base + "/sam.jpg",
            "Akhilesh Gupta": "https://media.example/akhilesh.jpg",
        },
    )
    shots = [
        ("phone", "light", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
        ("phone", "dark", {"viewport": PHONE, "is_mobile": True, "has_touch": True}),
        ("desktop", "dark", {"viewport": DESKTOP}),
        ("desktop", "light", {"viewport": DESKTOP}),  # last: this one imports
    ]
    for size, scheme, options in shots:
        context, page = _signed_in(browser, base_url, color_scheme=scheme, **options)
        page.goto(f"{base_url}/{CONF}/admin/import/")
        page.set_input_files(
            "#f-file",
            files=[{"name": "schedule.json", "mimeType": "application/json", "buffer": data}],
        )
        page.get_by_role("button", name="Show what changes").click()
        notes = page.locator(".alert-warning").all_inner_texts()
        assert notes == [
            "2 speakers have a photo in the file: 1 will be fetched on import.",
            "1 photo not fetched: media.example is not in PHOTO_IMPORT_HOSTS.",
        ]
        assert page.locator("#diff-summary").inner_text() == (
            "No change to the programme itself, only speakers’ photos."
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= options["viewport"]["width"], f"the preview scrolls sideways ({width}px)"
        page.screenshot(path=str(SHOTS / f"import-photos-preview-{size}-{scheme}.png"))
        if (size, scheme) != ("desktop", "light"):
            context.close()
            continue
        assert pictures.requests == []  # previews fetch nothing
        page.get_by_role("button", name="Import", exact=True).click()
        done = page.locator(".alert-success").inner_text()
        assert "Set 1 speaker’s photo from the file." in done
        assert pictures.requests == ["/sam.jpg"]
        page.screenshot(path=str(SHOTS / f"import-photos-done-{size}-{scheme}.png"))
        context.close()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/speakers/sam-newman/")
    page.wait_for_function("document.querySelector('.person-header picture img')?.complete")
    portrait = page.locator(".person-header picture img")
    assert portrait.evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=str(SHOTS / "import-photos-speaker.png"))
    context.close()
