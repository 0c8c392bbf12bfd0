"""Speakers' photos (issue 18): only real images within limits, EXIF gone, upright, two sizes in
WebP and JPEG, served immutable with nosniff, on the pages and in the programme JSON, changed
only by organisers and the speaker's track hosts."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from companion.photos.images import process
from companion.programme.models import Conference
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user
from tests.photos.images import jpeg, photo_like, png, with_exif

ADA = "/testconf/host/speakers/ada/photo"
DAMAGED = "This file is not a JPEG, PNG or WebP image (or it is damaged)."


def _upload(client: FlaskClient, data: bytes, url: str = ADA, **form: str) -> Any:
    fields = {"photo": (io.BytesIO(data), "me.jpg"), **form}
    return client.post(url, data=fields, content_type="multipart/form-data", headers=SAME_ORIGIN)


def test_every_trace_of_the_camera_is_gone() -> None:
    photo = process(with_exif())
    for (_size, _kind), data in photo.files.items():
        assert b"Secret Camera" not in data and b"Exif" not in data
        assert dict(Image.open(io.BytesIO(data)).getexif()) == {}


def test_a_jpeg_comment_is_not_copied() -> None:
    photo = process(jpeg(comment=b"owner: ada.private@example.org"))
    for data in photo.files.values():
        assert b"ada.private" not in data and b"\xff\xfe" not in data


def test_two_sizes_in_two_formats() -> None:
    photo = process(jpeg(1200, 800))
    sizes = {key: Image.open(io.BytesIO(data)) for key, data in photo.files.items()}
    assert {key: (image.format, image.size) for key, image in sizes.items()} == {
        ("small", "webp"): ("WEBP", (96, 96)),
        ("small", "jpg"): ("JPEG", (96, 96)),
        ("large", "webp"): ("WEBP", (320, 320)),
        ("large", "jpg"): ("JPEG", (320, 320)),
    }
    assert re.fullmatch(r"[0-9a-f]{16}", photo.digest)


def test_a_sideways_camera_photo_is_turned_upright() -> None:
    # Stored 400×300, red left and blue right; EXIF orientation 6 says "turn 90° clockwise to
    # view", which puts red on top.
    large = Image.open(io.BytesIO(process(with_exif(orientation=6)).files[("large", "jpg")]))
    top, bottom = large.getpixel((160, 10)), large.getpixel((160, 310))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], (top, bottom)


def test_transparency_is_laid_on_white() -> None:
    pixel = Image.open(io.BytesIO(process(png()).files[("small", "jpg")])).getpixel((40, 40))
    assert min(pixel) > 240, pixel


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a photo to upload."),
        (b"GIF89a" + b"\0" * 100, DAMAGED),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            DAMAGED,
        ),
        (jpeg()[:300], DAMAGED),
        (png("1", (10_000, 10_000)), "The image has too many pixels: at most 24 megapixels."),
        (b"\xff\xd8" + b"x" * (10 * 2**20), "The file is too large: at most 10 MB."),
    ],
    ids=["empty", "not-an-image", "svg", "truncated", "bomb", "too-large"],
)
def test_what_is_not_a_usable_photo_is_refused(
    app: Flask, setting: dict[str, Any], data: bytes, message: str
) -> None:
    answer = _upload(as_user(app, "host"), data)
    assert answer.status_code == 422
    assert message in answer.text
    document = app.test_client().get("/api/v1/conferences/testconf/programme").json
    assert next(s for s in document["speakers"] if s["slug"] == "ada")["photo"] is None


def test_a_gif_is_refused_even_when_pillow_reads_it(app: Flask, setting: dict[str, Any]) -> None:
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "GIF")
    answer = _upload(as_user(app, "host"), out.getvalue())
    assert (answer.status_code, "Upload a JPEG, PNG or WebP image." in answer.text) == (422, True)


def test_the_photo_on_the_pages_in_the_json_and_as_files(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    revision = dbs.get(Conference, setting["conference"].id).revision
    host = as_user(app, "host")
    answer = _upload(host, photo_like())
    assert answer.status_code == 302
    dbs.expire_all()
    assert dbs.get(Conference, setting["conference"].id).revision > revision
    visitor = app.test_client()
    page = visitor.get("/testconf/speakers/ada/").text
    urls = re.findall(
        r"/testconf/speakers/ada/photo-[0-9a-f]{16}-(?:small|large)\.(?:webp|jpg)", page
    )
    assert len(set(urls)) == 3  # small and large WebP, the large JPEG fallback
    for url in set(urls):
        photo = visitor.get(url)
        assert photo.status_code == 200
        assert photo.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        assert photo.mimetype == ("image/webp" if url.endswith("webp") else "image/jpeg")
        assert visitor.get(url, headers={"If-None-Match": photo.headers["ETag"]}).status_code == 304
    large = next(u for u in urls if "large.webp" in u)
    assert len(visitor.get(large).data) < 15 * 1024  # what the speaker page adds
    document = visitor.get("/api/v1/conferences/testconf/programme").json
    ada = next(s for s in document["speakers"] if s["slug"] == "ada")
    assert re.fullmatch(
        r"http://localhost/testconf/speakers/ada/photo-[0-9a-f]{16}-large\.jpg", ada["photo"]
    )
    assert ada["photo_placeholder"] is False
    grace = next(s for s in document["speakers"] if s["slug"] == "grace")
    assert (grace["photo"], grace["photo_placeholder"]) == (None, None)
    assert (
        '<span class="avatar" aria-hidden="true">G</span>'
        in visitor.get("/testconf/speakers/").text
    )

    _upload(host, jpeg(), placeholder="1")  # replaced: the old URLs are gone
    assert visitor.get(large).status_code == 404
    document = visitor.get("/api/v1/conferences/testconf/programme").json
    assert next(s for s in document["speakers"] if s["slug"] == "ada")["photo_placeholder"] is True
    gone = host.post(ADA + "/delete", headers=SAME_ORIGIN)
    assert gone.status_code == 302
    assert "picture" not in visitor.get("/testconf/speakers/ada/").text
    wrong = visitor.get("/testconf/speakers/ada/photo-0123456789abcdef-huge.webp")
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("attendee", 403), ("other-host", 403), ("host", 302), ("organiser", 302)],
)
def test_only_organisers_and_the_speakers_track_hosts(
    app: Flask, setting: dict[str, Any], who: str | None, status: int
) -> None:
    answer = _upload(as_user(app, who), jpeg())
    assert answer.status_code == status
    if who is None:
        assert answer.headers["Location"].startswith("/login")
    shown = "/testconf/speakers/ada/photo-" in app.test_client().get("/testconf/speakers/ada/").text
    assert shown == (who in ("host", "organiser"))
    # Grace speaks in APIs: not the Streaming host's speaker.
    grace = _upload(as_user(app, who), jpeg(), url="/testconf/host/speakers/grace/photo")
    assert grace.status_code == {"host": 403, "other-host": 302}.get(who or "", status)


def test_the_offline_copy_holds_both_sizes(app: Flask, setting: dict[str, Any]) -> None:
    from companion.offline.queries import offline_urls

    _upload(as_user(app, "host"), jpeg())
    with app.test_request_context():
        from companion.db import session
        from companion.programme.models import Conference as Model

        conference = session.get(Model, setting["conference"].id)
        assert conference is not None
        photos = [url for url in offline_urls(conference) if "/photo-" in url]
    assert [url.rsplit("-", 1)[1] for url in photos] == ["small.webp", "large.webp"]
    client = app.test_client()
    assert [client.get(url).status_code for url in photos] == [200, 200]
