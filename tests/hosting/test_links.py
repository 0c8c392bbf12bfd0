"""A session's slides, recording and stream, and a speaker's links, as hosts edit them: the
session form and the editing API (who may, bad addresses refused with a message, order, the
audit row, the revision and the live event), the speaker's links page, and where they show:
the session and speaker pages, the programme JSON and the iCal feed (ATTACH)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.live.models import LiveEvent
from companion.programme.links import Link
from companion.programme.models import Conference, Talk
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user

SLIDES = "https://slides.example/streams.pdf"


def _patch(client: FlaskClient, talk: Talk, links: Any, version: int = 1):
    return client.patch(
        f"/api/v1/sessions/{talk.guid}",
        json={"links": links},
        headers={**SAME_ORIGIN, "If-Match": f'W/"v{version}"'},
    )


def _links(dbs: Session, *, talk: Talk | None = None, speaker_id: int | None = None):
    dbs.expire_all()
    owner = Link.talk_id == talk.id if talk is not None else Link.speaker_id == speaker_id
    return [
        (link.kind, link.url, link.title)
        for link in dbs.execute(select(Link).where(owner).order_by(Link.position)).scalars()
    ]


def _last_event(dbs: Session) -> int:
    return dbs.execute(select(LiveEvent.id).order_by(LiveEvent.id.desc())).scalars().first() or 0


def test_a_host_sets_a_sessions_links_through_the_api(app: Flask, setting, dbs: Session) -> None:
    talk: Talk = setting["streams"]
    revision = dbs.get(Conference, talk.conference_id).revision  # type: ignore[union-attr]
    last = _last_event(dbs)
    response = _patch(
        as_user(app, "host"),
        talk,
        [
            {"kind": "other", "url": "https://blog.example/streams", "title": "Write-up"},
            {"kind": "stream", "url": "https://live.example/fleming"},
            {"kind": "slides", "url": " HTTPS://Slides.Example/streams.pdf "},
        ],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["links"] == [
        {"kind": "slides", "url": SLIDES, "title": ""},
        {"kind": "stream", "url": "https://live.example/fleming", "title": ""},
        {"kind": "other", "url": "https://blog.example/streams", "title": "Write-up"},
    ]  # normalised, and in kind order
    assert response.headers["ETag"] == 'W/"v2"'  # the session's version moved
    assert _links(dbs, talk=talk)[0] == ("slides", SLIDES, "")
    conference = dbs.get(Conference, talk.conference_id)
    assert conference is not None and conference.revision == revision + 1
    [event] = dbs.execute(select(LiveEvent).where(LiveEvent.id > last)).scalars()
    assert "what" not in event.data  # one session's news, not a programme-wide change
    assert [(s["guid"], s["changed"]) for s in event.data["sessions"]] == [(talk.guid, ["details"])]
    [audit] = dbs.execute(select(AuditEntry).where(AuditEntry.field == "links")).scalars()
    assert (audit.old, audit.new) == (
        "",
        f"Slides: {SLIDES}; Watch live: https://live.example/fleming; "
        "Link: https://blog.example/streams",
    )


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ([{"kind": "slides", "url": "javascript:alert(1)"}], "Link 1: Only http:// and https://"),
        (
            [{"kind": "slides", "url": SLIDES}, {"kind": "slides", "url": "data:text/html,x"}],
            "Link 2: Only http:// and https://",
        ),
        ([{"kind": "github", "url": SLIDES}], "Link 1: A session's link is one of"),
        ([{"kind": "slides", "url": "https://a.example/a\nb"}], "spaces or control characters"),
        ([{"kind": "slides", "url": 7}], 'give "kind", "url" and "title" as text'),
        ("https://a.example/", "Give the links as a list"),
        ([{"kind": "other", "url": f"https://a.example/{n}"} for n in range(21)], "at most 20"),
    ],
)
def test_bad_links_are_422_with_a_message_and_change_nothing(
    app: Flask, setting, dbs: Session, links: Any, message: str
) -> None:
    response = _patch(as_user(app, "organiser"), setting["streams"], links)
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"]["links"]
    assert _links(dbs, talk=setting["streams"]) == []


@pytest.mark.parametrize(("who", "status"), [("other-host", 403), ("attendee", 403), (None, 401)])
def test_only_the_tracks_hosts_and_organisers_set_its_links(
    app: Flask, setting, dbs: Session, who: str | None, status: int
) -> None:
    response = _patch(as_user(app, who), setting["streams"], [{"kind": "slides", "url": SLIDES}])
    assert response.status_code == status
    assert _links(dbs, talk=setting["streams"]) == []


def _form(
    talk: Talk, rows: list[tuple[str, str, str]], version: int = 1, speakers: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "title": talk.title,
        "abstract": "",
        "kind": "talk",
        "track": str(talk.track_id),
        "room": str(talk.room_id),
        "day": "2020-03-02",
        "start": "10:00",
        "end": "10:50",
        "status": "scheduled",
        "version": str(version),
        "speakers": list(speakers),
        "link_kind": [r[0] for r in rows],
        "link_url": [r[1] for r in rows],
        "link_title": [r[2] for r in rows],
    }


def test_the_session_form_edits_links_and_keeps_them_across_a_reopen(
    app: Flask, setting, dbs: Session
) -> None:
    talk: Talk = setting["streams"]
    host = as_user(app, "host")
    url = f"/testconf/host/sessions/{talk.guid}/"
    opened = host.get(url).text
    # A session with no links opens with a row for each of slides, recording and stream.
    assert opened.count('name="link_url"') == 4
    assert '<option value="recording" selected>Recording</option>' in opened
    rows = [
        ("slides", SLIDES, ""),
        ("recording", "https://media.example/v/streams", "Video & captions"),
        ("stream", "", ""),
        ("other", "", ""),
    ]
    saved = host.post(url, data=_form(talk, rows), headers=SAME_ORIGIN)
    assert saved.status_code == 302, saved.text[:500]
    assert _links(dbs, talk=talk) == [
        ("slides", SLIDES, ""),
        ("recording", "https://media.example/v/streams", "Video & captions"),
    ]
    reopened = host.get(url).text
    assert f'value="{SLIDES}"' in reopened and "Video &amp; captions" in reopened
    # Saving the form as it opens changes nothing: no audit row, the version stays.
    before = dbs.execute(select(AuditEntry)).scalars().all()
    again = host.post(
        url, data=_form(talk, [*rows[:2], ("stream", "", "")], 2), headers=SAME_ORIGIN
    )
    assert again.status_code == 302
    assert len(dbs.execute(select(AuditEntry)).scalars().all()) == len(before)


def test_the_session_form_refuses_a_bad_link_saying_which(
    app: Flask, setting, dbs: Session
) -> None:
    talk: Talk = setting["streams"]
    response = as_user(app, "host").post(
        f"/testconf/host/sessions/{talk.guid}/",
        data=_form(talk, [("slides", SLIDES, ""), ("stream", "javascript:alert(1)", "")]),
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert "Link 2: Only http:// and https:// links are allowed" in response.text
    assert 'value="javascript:alert(1)"' in response.text  # the input is kept to correct it
    assert _links(dbs, talk=talk) == []


def _speaker_form(rows: list[tuple[str, str, str]], **extra: str) -> dict[str, Any]:
    return {
        "link_kind": [r[0] for r in rows],
        "link_url": [r[1] for r in rows],
        "link_title": [r[2] for r in rows],
        **extra,
    }


@pytest.mark.parametrize(
    ("who", "status"), [("host", 302), ("organiser", 302), ("other-host", 403), ("attendee", 403)]
)
def test_a_speakers_links_are_edited_by_their_tracks_hosts_and_organisers(
    app: Flask, setting, dbs: Session, who: str, status: int
) -> None:
    ada = setting["speakers"]["ada"]
    response = as_user(app, who).post(
        "/testconf/host/speakers/ada/",
        data=_speaker_form(
            [
                ("", "https://github.com/ada", ""),
                ("", "https://hachyderm.io/@ada", ""),
                ("website", "https://ada.example/", "Home"),
                ("", "", ""),
            ]
        ),
        headers=SAME_ORIGIN,
    )
    assert response.status_code == status
    if status == 302:
        assert _links(dbs, speaker_id=ada.id) == [
            ("github", "https://github.com/ada", ""),
            ("mastodon", "https://hachyderm.io/@ada", ""),
            ("website", "https://ada.example/", "Home"),
        ]
        [audit] = dbs.execute(select(AuditEntry).where(AuditEntry.subject == "speaker")).scalars()
        assert audit.field == "links" and audit.new.startswith("GitHub: https://github.com/ada")
    else:
        assert _links(dbs, speaker_id=ada.id) == []


def test_a_speaker_in_no_hosted_track_is_for_organisers_only(
    app: Flask, setting, make_talk, dbs: Session
) -> None:
    make_talk(setting["conference"], "Keynote", start="09:00", end="09:30", speakers=("Kay",))
    data = _speaker_form([("", "https://kay.example/", "")])
    assert (
        as_user(app, "host")
        .post("/testconf/host/speakers/kay/", data=data, headers=SAME_ORIGIN)
        .status_code
        == 403
    )
    assert (
        as_user(app, "organiser")
        .post("/testconf/host/speakers/kay/", data=data, headers=SAME_ORIGIN)
        .status_code
        == 302
    )


def test_the_speaker_form_refuses_a_bad_link_and_a_stale_save(
    app: Flask, setting, dbs: Session
) -> None:
    host = as_user(app, "host")
    bad = host.post(
        "/testconf/host/speakers/ada/",
        data=_speaker_form([("", "ftp://x.example/", "")]),
        headers=SAME_ORIGIN,
    )
    assert bad.status_code == 422 and "Link 1: Only http:// and https://" in bad.text
    opened = host.get("/testconf/host/speakers/ada/").text
    version = opened.split('name="links_version" value="')[1].split('"')[0]
    first = _speaker_form([("", "https://github.com/ada", "")], links_version=version)
    assert (
        host.post("/testconf/host/speakers/ada/", data=first, headers=SAME_ORIGIN).status_code
        == 302
    )
    late = _speaker_form([("", "https://ada.example/", "")], links_version=version)
    stale = as_user(app, "organiser").post(
        "/testconf/host/speakers/ada/", data=late, headers=SAME_ORIGIN
    )
    assert stale.status_code == 409 and "Saved meanwhile" in stale.text
    assert _links(dbs, speaker_id=setting["speakers"]["ada"].id) == [
        ("github", "https://github.com/ada", "")
    ]


def _with_links(app: Flask, setting: dict[str, Any]) -> Talk:
    talk: Talk = setting["streams"]
    links = [
        {"kind": "slides", "url": SLIDES},
        {"kind": "recording", "url": "https://media.example/v/streams"},
        {"kind": "stream", "url": "https://live.example/fleming"},
        {"kind": "other", "url": "https://blog.example/streams", "title": "Write-up"},
    ]
    assert _patch(as_user(app, "organiser"), talk, links).status_code == 200
    ada = {"link_kind": ["", ""], "link_url": ["https://github.com/ada", "https://m.example/@ada"]}
    assert (
        as_user(app, "organiser")
        .post("/testconf/host/speakers/ada/", data=ada, headers=SAME_ORIGIN)
        .status_code
        == 302
    )
    return talk


def test_pages_show_the_links_as_people_read_them(app: Flask, setting) -> None:
    talk = _with_links(app, setting)
    client = app.test_client()
    page = client.get(f"/testconf/sessions/{talk.guid}/").text
    for label, url in (
        ("Slides", SLIDES),
        ("Recording", "https://media.example/v/streams"),
        ("Watch live", "https://live.example/fleming"),
        ("Write-up", "https://blog.example/streams"),
    ):
        assert f'href="{url}" rel="noopener external" target="_blank"' in page
        assert f"<span>{label}</span>" in page
    assert page.count("(opens another site)") == 4
    assert page.index(SLIDES) < page.index("live.example")  # in kind order
    speaker = client.get("/testconf/speakers/ada/").text
    assert 'href="https://github.com/ada"' in speaker and "<strong>GitHub</strong>" in speaker
    assert 'rel="noopener external me"' in speaker  # Mastodon's verification
    assert "<strong>Mastodon</strong>" in speaker
    assert 'data-edit-track="streaming"' in speaker  # the Edit link, for that track's hosts


def test_the_programme_json_carries_session_and_speaker_links(app: Flask, setting) -> None:
    talk = _with_links(app, setting)
    doc = app.test_client().get("/api/v1/conferences/testconf/programme").get_json()
    [session] = [s for s in doc["sessions"] if s["guid"] == talk.guid]
    assert [link["kind"] for link in session["links"]] == ["slides", "recording", "stream", "other"]
    assert session["links"][3] == {
        "kind": "other",
        "url": "https://blog.example/streams",
        "title": "Write-up",
    }
    [ada] = [s for s in doc["speakers"] if s["slug"] == "ada"]
    assert ada["links"] == [
        {"kind": "github", "url": "https://github.com/ada", "title": ""},
        {"kind": "mastodon", "url": "https://m.example/@ada", "title": ""},
    ]
