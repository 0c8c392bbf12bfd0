"""Speakers' photos from a schedule's `persons` (`avatar`): read, previewed, fetched from allowed
hosts only after the programme is committed, kept on re-import, refused images as notes."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.db import session
from companion.exchange.apply import apply_import
from companion.exchange.importer import plan_import, read_schedule
from companion.exchange.photos import PhotoOutcome, fetch_planned, set_photos
from companion.exchange.plan import ImportPlan
from companion.hosting.models import AuditEntry
from companion.photos.images import MAX_BYTES
from companion.photos.models import SpeakerPhoto
from companion.programme.models import Speaker, Talk
from companion.programme.queries import conference_by_slug
from tests.conftest import SAME_ORIGIN, sign_in
from tests.exchange.conftest import DEBCONF, RC3, read
from tests.photos.images import jpeg, png
from tests.photos.server import ImageServer, image_server

DAY = date(2026, 12, 2)


def schedule(*people: tuple[str, Any]) -> bytes:
    """A one-day schedule.json with one session per (name, avatar) person, as pretalx writes
    persons (`code`, `public_name`, `biography`, `avatar`)."""
    events = [
        {
            "id": n,
            "guid": f"6f1c2a4e-0000-4000-8000-{n:012d}",
            "date": f"2026-12-02T{9 + n:02d}:00:00+01:00",
            "start": f"{9 + n:02d}:00",
            "duration": "00:45",
            "room": "Saal 1",
            "title": f"Talk {n}",
            "type": "Talk",
            "persons": [{"code": f"P{n}", "public_name": name, "biography": "", "avatar": avatar}],
        }
        for n, (name, avatar) in enumerate(people, start=1)
    ]
    day = {
        "index": 1,
        "date": "2026-12-02",
        "day_start": "2026-12-02T04:00:00+01:00",
        "day_end": "2026-12-03T03:59:00+01:00",
        "rooms": {"Saal 1": events},
    }
    conference = {
        "acronym": "photoconf",
        "title": "Photo Conf",
        "start": "2026-12-02",
        "end": "2026-12-02",
        "daysCount": 1,
        "timeslot_duration": "00:05",
        "time_zone_name": "Europe/Berlin",
        "days": [day],
    }
    return json.dumps({"schedule": {"version": "1", "conference": conference}}).encode()


@pytest.fixture
def server() -> Iterator[ImageServer]:
    """The test's image server (http://localhost:PORT)."""
    with image_server() as running:
        yield running


@pytest.fixture
def allow_local(app: Flask) -> None:
    """The image server's host allowed, and (tests only) http and loopback."""
    app.config["PHOTO_IMPORT_HOSTS"] = ("localhost",)
    app.config["PHOTO_IMPORT_ALLOW_LOCAL"] = True


Importer = Callable[[bytes], tuple[ImportPlan, PhotoOutcome]]


@pytest.fixture
def import_photos(ctx: None) -> Importer:
    """Import into `photoconf` as the upload page does: plan, fetch, apply, set, commit."""

    def run(data: bytes) -> tuple[ImportPlan, PhotoOutcome]:
        plan = plan_import(
            read_schedule(data), conference=conference_by_slug("photoconf"), slug="photoconf"
        )
        fetched = fetch_planned(plan)
        result = apply_import(plan, actor="Import of test data")
        outcome = set_photos(fetched, result, user_id=None, actor="Import of test data")
        session.commit()
        return plan, outcome

    return run


def _photos() -> dict[str, str | None]:
    session.expire_all()
    rows = session.execute(
        select(Speaker.name, SpeakerPhoto.source_url).join(
            SpeakerPhoto, SpeakerPhoto.speaker_id == Speaker.id
        )
    )
    return {name: source for name, source in rows}


def test_the_avatar_is_read_and_only_web_addresses_kept() -> None:
    data = schedule(
        ("Ada", "https://pretalx.com/media/avatars/ada.jpg"),
        ("Bob", "/media/avatars/bob.png"),
        ("Cy", "data:image/png;base64,AAAA"),
        ("Di", {"url": "https://pretalx.com/x.jpg"}),
        ("Ed", None),
    )
    persons = [p for event in read_schedule(data).events for p in event.persons]
    assert [(p.name, p.photo) for p in persons] == [
        ("Ada", "https://pretalx.com/media/avatars/ada.jpg"),
        ("Bob", ""),
        ("Cy", ""),
        ("Di", ""),
        ("Ed", ""),
    ]


def test_a_photo_from_a_host_not_allowed_is_a_note_and_no_request(
    app: Flask, server: ImageServer, import_photos: Importer
) -> None:
    app.config["PHOTO_IMPORT_ALLOW_LOCAL"] = True  # http and loopback: only the host can refuse
    app.config["PHOTO_IMPORT_HOSTS"] = ("pretalx.com",)
    data = schedule(("Ada", server.serve("/ada.jpg", jpeg())), ("Bob", server.base + "/b.jpg"))
    plan, outcome = import_photos(data)
    assert plan.diff.notes == [
        "2 speakers have a photo in the file: 0 will be fetched on import.",
        "2 photos not fetched: localhost is not in PHOTO_IMPORT_HOSTS.",
    ]
    assert outcome == PhotoOutcome(done=0, failures=[])
    assert server.requests == []
    assert _photos() == {}
    assert session.execute(select(func.count()).select_from(Talk)).scalar_one() == 2


def test_a_real_pretalx_file_names_its_photo_host_once(ctx: None) -> None:
    document = json.loads(read(RC3))
    people = 0
    for day in document["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event in events:
                for person in event["persons"]:
                    person["avatar"] = f"https://pretalx.rc3.studio/media/{person['code']}.jpg"
                    people += 1
    plan = plan_import(read_schedule(json.dumps(document).encode()), conference=None, slug="rc3")
    fetching = [note for note in plan.diff.notes if "photo" in note]
    assert fetching == [
        "56 speakers have a photo in the file: 0 will be fetched on import.",
        "56 photos not fetched: pretalx.rc3.studio is not in PHOTO_IMPORT_HOSTS.",
    ]
    assert people >= 56


def test_an_allowed_photo_is_set_audited_and_served_in_both_sizes(
    client: FlaskClient,
    make_conference: Any,
    make_user: Any,
    grant_role: Any,
    server: ImageServer,
    allow_local: None,
    dbs: Session,
) -> None:
    conference = make_conference(
        slug="photoconf", timezone="Europe/Berlin", start_date=DAY, end_date=DAY
    )
    organiser = make_user()
    grant_role(organiser, conference, "organiser")
    sign_in(client)
    data = schedule(("Ada", server.serve("/ada.png", png("RGB"))), ("Bob", ""))
    preview = client.post(
        "/photoconf/admin/import/",
        data={"file": (io.BytesIO(data), "schedule.json")},
        headers=SAME_ORIGIN,
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 speaker has a photo in the file: 1 will be fetched on import." in preview
    assert server.requests == []  # the preview fetches nothing
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', preview).group(1)  # type: ignore[union-attr]
        for name in ("token", "payload")
    }
    done = client.post("/photoconf/admin/import/confirm", data=fields, headers=SAME_ORIGIN)
    assert done.status_code == 302
    result_page = client.get(done.location).text
    assert (
        "Imported schedule.json. 2 new sessions, 1 new rooms, 2 new speakers. Set 1 speaker’s "
        "photo from the file." in result_page
    )
    assert server.requests == ["/ada.png"]
    dbs.expire_all()
    ada = dbs.execute(select(Speaker).where(Speaker.name == "Ada")).scalar_one()
    row = dbs.get(SpeakerPhoto, ada.id)
    assert row is not None and row.source_url == server.base + "/ada.png"
    assert row.uploaded_by == organiser.id and ada.photo == row.digest
    audit = dbs.execute(
        select(AuditEntry.actor, AuditEntry.field, AuditEntry.new).where(
            AuditEntry.subject == "speaker"
        )
    ).all()
    assert audit == [("Import of schedule.json (Ada)", "photo", row.digest)]
    page = client.get(f"/photoconf/speakers/{ada.slug}/").text
    for size in ("small", "large"):
        url = f"/photoconf/speakers/{ada.slug}/photo-{row.digest}-{size}.webp"
        assert url in page
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "image/webp"


def test_what_is_not_a_usable_image_is_a_note_and_the_programme_stands(
    server: ImageServer, allow_local: None, import_photos: Importer
) -> None:
    bomb = png("1", (10_000, 10_000))
    data = schedule(
        ("Ada", server.serve("/ada.txt", b"<html>not a photo</html>")),
        ("Bob", server.serve("/bob.jpg", b"\xff\xd8" + b"x" * MAX_BYTES)),
        ("Cy", server.serve("/cy.png", bomb)),
        ("Di", server.base + "/gone.jpg"),
        ("Ed", server.serve("/ed.jpg", jpeg())),
    )
    plan, outcome = import_photos(data)
    assert plan.diff.photos_to_fetch == 5
    assert outcome.done == 1
    assert sorted(outcome.failures) == [
        "1 photo not set: localhost answered 404 (Di).",
        "1 photo not set: the file is larger than 10 MB (Bob).",
        "1 photo not set: the image has too many pixels: at most 24 megapixels (Cy).",
        "1 photo not set: this file is not a JPEG, PNG or WebP image (or it is damaged) (Ada).",
    ]
    assert _photos() == {"Ed": server.base + "/ed.jpg"}
    assert session.execute(select(func.count()).select_from(Talk)).scalar_one() == 5


def test_a_redirect_to_another_host_is_a_note(
    server: ImageServer, allow_local: None, import_photos: Importer
) -> None:
    moved = server.serve("/ada.jpg", b"", status=302, Location="https://cdn.example/ada.jpg")
    _, outcome = import_photos(schedule(("Ada", moved)))
    assert outcome.failures == [
        "1 photo not set: it redirects elsewhere: cdn.example is not in PHOTO_IMPORT_HOSTS (Ada)."
    ]
    assert server.requests == ["/ada.jpg"] and _photos() == {}


def test_a_reimport_with_the_same_address_fetches_nothing_and_a_new_one_replaces(
    server: ImageServer, allow_local: None, import_photos: Importer
) -> None:
    first = server.serve("/ada-1.jpg", jpeg())
    import_photos(schedule(("Ada", first)))
    assert server.requests == ["/ada-1.jpg"]
    plan, outcome = import_photos(schedule(("Ada", first)))
    assert server.requests == ["/ada-1.jpg"]
    assert plan.diff.empty and outcome.done == 0
    assert plan.diff.notes == [
        "1 speaker has a photo in the file: 0 will be fetched on import, "
        "1 kept (uploaded here, or from the same address)."
    ]
    second = server.serve("/ada-2.jpg", png("RGB"))
    plan, outcome = import_photos(schedule(("Ada", second)))
    assert plan.diff.summary() == "No change to the programme itself, only speakers’ photos."
    assert outcome.done == 1 and server.requests == ["/ada-1.jpg", "/ada-2.jpg"]
    assert _photos() == {"Ada": second}


def test_an_uploaded_photo_is_kept_whatever_the_file_says(
    server: ImageServer, allow_local: None, import_photos: Importer
) -> None:
    import_photos(schedule(("Ada", "")))
    ada = session.execute(select(Speaker).where(Speaker.name == "Ada")).scalar_one()
    session.add(
        SpeakerPhoto(
            speaker_id=ada.id,
            conference_id=ada.conference_id,
            digest="0123456789abcdef",
            small_webp=b"",
            small_jpg=b"",
            large_webp=b"",
            large_jpg=b"",
            width=1,
            height=1,
        )
    )
    session.commit()
    plan, outcome = import_photos(schedule(("Ada", server.serve("/ada.jpg", jpeg()))))
    assert plan.photos is not None and plan.photos.kept == 1 and outcome.done == 0
    assert server.requests == [] and _photos() == {"Ada": None}


def test_frab_xml_brings_no_photos_and_fetches_nothing(
    server: ImageServer, allow_local: None, ctx: None
) -> None:
    plan = plan_import(read_schedule(read(DEBCONF)), conference=None, slug="debconf")
    assert plan.photos is not None and plan.photos.in_file == 0
    assert plan.diff.photos_to_fetch == 0
    assert not [note for note in plan.diff.notes if "photo" in note]
    fetched = fetch_planned(plan)
    result = apply_import(plan, actor="Import of test data")
    assert set_photos(fetched, result, user_id=None, actor="x") == PhotoOutcome()
    assert server.requests == []
