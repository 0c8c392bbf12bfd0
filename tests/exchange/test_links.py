"""Session and speaker links through frab XML and schedule.json: real files' shapes (bare
strings beside Reference objects, relative attachments), unsafe addresses dropped with a note in
the preview and never stored, and an export that imports back as the same links."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion.db import session
from companion.exchange import frab_xml, schedule_json
from companion.exchange.importer import plan_import, read_schedule
from companion.programme.links import Link
from companion.programme.models import Conference, Speaker, Talk
from companion.programme.queries import conference_by_slug
from tests.exchange.conftest import CCC_JSON, CCC_XML, read, run_import

GUID = "6a32cb72-a69d-423c-91b5-60d88eb8e6c7"


def _json(links: Any = None, attachments: Any = None, persons: Any = None) -> bytes:
    event: dict[str, Any] = {
        "guid": GUID,
        "title": "T",
        "date": "2024-05-01T10:00:00+02:00",
        "duration": "00:30",
        "url": "https://conf.example/talk/t",
        "persons": persons if persons is not None else [{"public_name": "Ada"}],
    }
    if links is not None:
        event["links"] = links
    if attachments is not None:
        event["attachments"] = attachments
    document = {
        "schedule": {
            "conference": {
                "acronym": "linkconf",
                "title": "Conf",
                "days": [{"date": "2024-05-01", "rooms": {"Saal 1": [event]}}],
            }
        }
    }
    return json.dumps(document).encode()


def _stored(slug: str = "linkconf") -> list[tuple[str, str, str]]:
    conference = conference_by_slug(slug)
    assert conference is not None
    return [
        (link.kind, link.url, link.title)
        for link in session.execute(
            select(Link)
            .join(Talk, Talk.id == Link.talk_id)
            .where(Talk.conference_id == conference.id)
            .order_by(Talk.id, Link.position)
        ).scalars()
    ]


def _speaker_links(name: str) -> list[tuple[str, str, str]]:
    return [
        (link.kind, link.url, link.title)
        for link in session.execute(
            select(Link)
            .join(Speaker, Speaker.id == Link.speaker_id)
            .where(Speaker.name == name)
            .order_by(Link.position)
        ).scalars()
    ]


def test_mixed_shapes_are_read_with_their_kinds(ctx: None) -> None:
    run_import(
        _json(
            links=[
                "https://blog.example/post",
                {"url": "https://slides.example/t.pdf", "title": "Slides"},
                {"type": "media", "url": "https://media.example/v/t", "title": "Recording"},
                {"type": "media", "url": "https://live.example/saal1", "title": "Livestream"},
                {"url": "https://conf.example/talk/t", "title": "Session page"},
            ],
            attachments=[{"url": "https://conf.example/a/t.pdf", "title": "Presentation Slides"}],
        )
    )
    assert _stored() == [
        ("slides", "https://slides.example/t.pdf", ""),
        ("slides", "https://conf.example/a/t.pdf", "Presentation Slides"),
        ("recording", "https://media.example/v/t", ""),
        ("stream", "https://live.example/saal1", "Livestream"),
        ("other", "https://blog.example/post", ""),
    ]  # in kind order; the event's own page is not one of its resources


def test_unsafe_links_are_dropped_with_a_note_and_never_stored(ctx: None) -> None:
    data = _json(
        links=[
            "javascript:alert(document.cookie)",
            {"url": "data:text/html;base64,PHNjcmlwdD4=", "title": "Slides"},
            {"url": 42},
            "https://ok.example/",
        ],
        attachments=[{"url": "/attachments/original/missing.png", "title": "Slides"}],
        persons=[{"public_name": "Ada", "links": [{"url": "javascript:x"}]}],
    )
    plan = plan_import(read_schedule(data), conference=None, slug="linkconf")
    notes = [n for n in plan.diff.notes if "Left out" in n]
    where = 'schedule.conference.days[0].rooms["Saal 1"][0]'
    assert notes == [
        "Left out 4 links of the file, never stored: Only http:// and https:// links are "
        f"allowed, e.g. https://example.org/. (first: {where}.links[0], "
        "“javascript:alert(document.cookie)”).",
        "Left out 1 link of the file, never stored: Enter the link's address. (first: "
        f"{where}.links[2], “no address”).",
    ]
    run_import(data)
    assert _stored() == [("other", "https://ok.example/", "")]
    assert _speaker_links("Ada") == []


def test_a_file_without_links_leaves_a_sessions_links_alone(ctx: None) -> None:
    run_import(_json(links=["https://slides.example/t.pdf"]))
    run_import(_json(links=[]), slug="linkconf")
    run_import(_json(links=["javascript:void(0)"]), slug="linkconf")
    assert _stored() == [("other", "https://slides.example/t.pdf", "")]


def test_the_preview_shows_a_link_change_and_applying_audits_it(ctx: None) -> None:
    run_import(_json(links=[{"type": "slides", "url": "https://slides.example/v1.pdf"}]))
    conference = conference_by_slug("linkconf")
    data = _json(links=[{"type": "slides", "url": "https://slides.example/v2.pdf"}])
    plan = plan_import(read_schedule(data), conference=conference)
    [changed] = plan.diff.changed_sessions
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("links", "Slides: https://slides.example/v1.pdf", "Slides: https://slides.example/v2.pdf")
    ]
    assert any(
        "links Slides: https://slides.example/v1.pdf →" in line for line in plan.diff.lines()
    )
    run_import(data, slug="linkconf")
    assert _stored() == [("slides", "https://slides.example/v2.pdf", "")]


def test_person_links_are_read_named_by_where_they_lead(ctx: None) -> None:
    run_import(
        _json(
            persons=[
                {
                    "public_name": "Ada",
                    "links": [
                        {"url": "https://github.com/ada", "title": "GitHub"},
                        {"url": "https://social.example/@ada", "type": "activitypub"},
                        "https://ada.example/",
                    ],
                }
            ]
        )
    )
    assert _speaker_links("Ada") == [
        ("github", "https://github.com/ada", ""),
        ("mastodon", "https://social.example/@ada", ""),
        ("website", "https://ada.example/", ""),
    ]


def test_frab_xml_reads_links_attachments_and_recording() -> None:
    data = f"""<schedule><conference><title>T</title></conference>
<day date="2024-05-01"><room name="A"><event guid="{GUID}">
<date>2024-05-01T10:00:00+02:00</date><duration>0:30</duration><title>T</title>
<url>https://conf.example/t</url>
<links><link href="https://conf.example/t">Session page</link>
<link href="https://slides.example/t.pdf">Slides</link>
<link href="https://live.example/a" type="stream">Watch live</link></links>
<attachments><attachment href="/attachments/t.pdf">Presentation Slides</attachment></attachments>
<recording><license>CC BY 4.0</license><optout>false</optout>
<link>https://media.example/v/t</link></recording>
</event></room></day></schedule>""".encode()
    [event] = frab_xml.parse(data).events
    assert [(link.kind, link.url, link.title) for link in event.links] == [
        ("other", "https://conf.example/t", "Session page"),
        ("slides", "https://slides.example/t.pdf", ""),
        ("stream", "https://live.example/a", ""),
        ("slides", "/attachments/t.pdf", "Presentation Slides"),
        ("recording", "https://media.example/v/t", ""),
    ]
    assert event.url == "https://conf.example/t"


def _with_links(make_conference: Callable[..., Conference], make_talk: Callable[..., Talk]):
    conference = make_conference()
    talk = make_talk(
        conference,
        "Likes",
        speakers=("Ada",),
        links=[
            Link(conference_id=conference.id, kind=k, url=u, title=t, position=n)
            for n, (k, u, t) in enumerate(
                [
                    ("slides", "https://slides.example/likes.pdf", ""),
                    ("slides", "https://slides.example/likes-2.pdf", "Part 2"),
                    ("recording", "https://media.example/v/likes", "Video & captions"),
                    ("stream", "https://live.example/fleming", ""),
                    ("other", "https://blog.example/likes", "The making of"),
                ]
            )
        ],
    )
    return conference, talk


@pytest.mark.parametrize("name", ["schedule.xml", "schedule.json"])
def test_an_export_imports_back_as_the_same_links(
    app: Flask, dbs: Session, make_conference, make_talk, name: str
) -> None:
    conference, _ = _with_links(make_conference, make_talk)
    ada = dbs.execute(select(Speaker).where(Speaker.name == "Ada")).scalar_one()
    dbs.add_all(
        Link(conference_id=conference.id, speaker_id=ada.id, kind=k, url=u, title=t, position=n)
        for n, (k, u, t) in enumerate(
            [
                ("github", "https://github.com/ada", ""),
                ("mastodon", "https://social.example/@ada", "Toots"),
                ("website", "https://ada.example/", ""),
            ]
        )
    )
    dbs.commit()
    exported = app.test_client().get(f"/testconf/{name}").data
    with app.app_context():
        before_talk, before_ada = _stored("testconf"), _speaker_links("Ada")
        # The file as it was, into the conference as it is: nothing to change.
        same = plan_import(read_schedule(exported), conference=conference_by_slug("testconf"))
        assert not [c for s in same.diff.changed_sessions for c in s.changes if c.field == "links"]
        session.execute(delete(Link))
        session.commit()
        session.expire_all()  # the objects the first plan loaded still hold the links
        run_import(exported, slug="testconf")
        assert _stored("testconf") == before_talk
        if name == "schedule.json":  # frab XML's <person> carries no links
            assert _speaker_links("Ada") == before_ada
    assert len(before_talk) == 5


def test_the_36c3_json_reads_its_strings_objects_and_relative_attachments() -> None:
    schedule = schedule_json.parse(read(CCC_JSON))
    links = [link for event in schedule.events for link in event.links]
    assert len(links) == 298 + 282 + 89
    assert any(link.kind == "slides" for link in links)
    xml = frab_xml.parse(read(CCC_XML))
    assert sum(len(event.links) for event in xml.events) >= 500
