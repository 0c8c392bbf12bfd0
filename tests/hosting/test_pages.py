"""The host's pages: the session form (new, edit, delete), the quick move, the track
introduction. The same rules as the API, with messages next to the fields."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.notify.models import Notification
from companion.programme.models import Room, Speaker, Talk, TalkSpeaker, Track
from tests.conftest import SAME_ORIGIN, sign_in
from tests.hosting.conftest import as_user


def _form(setting: dict[str, Any], name: str = "streams", **values: str) -> dict[str, Any]:
    talk: Talk = setting[name]
    base: dict[str, Any] = {
        "title": talk.title,
        "abstract": "",
        "kind": "talk",
        "track": str(talk.track_id),
        "room": str(talk.room_id),
        "speakers": [str(setting["speakers"]["ada" if name != "apis" else "grace"].id)],
        "day": "2020-03-02",
        "start": "10:00",
        "end": "10:50",
        "status": "scheduled",
        "version": "1",
    }
    return {**base, **values}


def test_the_speaker_select_lists_the_chosen_first_in_billing_order(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    """Without JavaScript the form sends the selected options in page order: saving a session
    billed "Grace, Ada" unchanged must not make it "Ada, Grace"."""
    talk: Talk = setting["streams"]
    ada, grace = setting["speakers"]["ada"], setting["speakers"]["grace"]
    dbs.execute(delete(TalkSpeaker).where(TalkSpeaker.talk_id == talk.id))
    dbs.add_all(
        [
            TalkSpeaker(talk_id=talk.id, speaker_id=grace.id, position=0),
            TalkSpeaker(talk_id=talk.id, speaker_id=ada.id, position=1),
        ]
    )
    dbs.commit()
    form = as_user(app, "host").get(f"/testconf/host/sessions/{talk.guid}/").text
    options = re.findall(r'<option value="(\d+)" data-name="[^"]*"( selected)?>', form)
    assert options[:2] == [(str(grace.id), " selected"), (str(ada.id), " selected")]
    assert all(not chosen for _, chosen in options[2:])


def _room(dbs: Session, slug: str) -> Room:
    return dbs.execute(select(Room).where(Room.slug == slug)).scalar_one()


def _audit(dbs: Session) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (a.action, a.field, a.old, a.new)
        for a in dbs.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    ]


def test_hosts_see_their_tracks_and_edit_a_session(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    host = as_user(app, "host")
    page = host.get("/testconf/host/").text
    assert "Streams" in page and "APIs" not in page
    assert "In no track" not in page  # organisers only
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    form = host.get(url).text
    assert 'value="Streams"' in form
    ada = setting["speakers"]["ada"].id
    assert f'<option value="{ada}" data-name="Ada" selected>Ada</option>' in form
    whittle = _room(dbs, "whittle")
    saved = host.post(
        url,
        data=_form(setting, room=str(whittle.id), start="12:00", end="12:50"),
        headers=SAME_ORIGIN,
    )
    assert saved.status_code == 302 and saved.headers["Location"] == "/testconf/host/"
    dbs.expire_all()
    talk = dbs.get(Talk, setting["streams"].id)
    assert talk is not None and (talk.room_id, talk.version) == (whittle.id, 2)
    assert {a[1] for a in _audit(dbs)} == {"room", "start", "end"}
    assert as_user(app, "other-host").get(url).status_code == 403


def test_a_stale_form_is_409_and_keeps_the_input(app: Flask, setting: dict[str, Any]) -> None:
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    organiser, host = as_user(app, "organiser"), as_user(app, "host")
    first = organiser.post(url, data=_form(setting, title="Organiser's title"), headers=SAME_ORIGIN)
    assert first.status_code == 302
    stale = host.post(url, data=_form(setting, title="Host's title"), headers=SAME_ORIGIN)
    assert stale.status_code == 409
    assert "Saved meanwhile" in stale.text
    assert 'value="Host&#39;s title"' in stale.text  # the person's input is still there
    assert "Organiser&#39;s title" in stale.text  # and what changed meanwhile
    assert 'name="version" value="2"' in stale.text  # saving again replaces it knowingly


def test_rules_are_shown_next_to_the_field(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    whittle = _room(dbs, "whittle")
    clash = as_user(app, "host").post(
        url, data=_form(setting, room=str(whittle.id)), headers=SAME_ORIGIN
    )
    assert clash.status_code == 422
    assert 'id="f-room_id-error">“APIs” is in this room then (10:00–10:50).' in clash.text
    backwards = as_user(app, "host").post(
        url, data=_form(setting, end="09:00"), headers=SAME_ORIGIN
    )
    assert backwards.status_code == 422 and "must end after it starts" in backwards.text
    dbs.expire_all()
    assert dbs.get(Talk, setting["streams"].id).version == 1  # type: ignore[union-attr]


def test_speakers_are_picked_or_created_and_audited(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    host = as_user(app, "host")
    grace = setting["speakers"]["grace"]
    data = _form(setting, speakers=[str(grace.id)], new_speaker="  Barbara   Liskov ")
    warned = host.post(url, data=data, headers=SAME_ORIGIN)
    assert warned.status_code == 422  # Grace speaks in "APIs" at 10:00
    assert "Grace is also in “APIs” at that time (10:00–10:50)." in warned.text
    assert dbs.execute(select(Speaker).where(Speaker.name == "Barbara Liskov")).first() is None
    confirmed = host.post(url, data={**data, "confirm": "1"}, headers=SAME_ORIGIN)
    assert confirmed.status_code == 302
    dbs.expire_all()
    names = [
        s.name
        for s in dbs.execute(
            select(Speaker)
            .join(TalkSpeaker)
            .where(TalkSpeaker.talk_id == setting["streams"].id)
            .order_by(TalkSpeaker.position)
        ).scalars()
    ]
    assert names == ["Grace", "Barbara Liskov"]
    assert _audit(dbs) == [
        ("create", "name", None, "Barbara Liskov"),  # the new speaker, by the host
        ("update", "speakers", "Ada", "Grace, Barbara Liskov"),
    ]
    assert dbs.get(Talk, setting["streams"].id).version == 2  # type: ignore[union-attr]
    # Typing an existing name again picks that speaker instead of making a twin.
    again = _form(setting, speakers=[], new_speaker="barbara liskov", version="2")
    assert host.post(url, data=again, headers=SAME_ORIGIN).status_code == 302
    assert dbs.execute(select(Speaker).where(Speaker.slug.like("barbara%"))).scalars().all()


def test_a_host_adds_a_session_to_their_track_only(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    host = as_user(app, "host")
    streaming, apis = setting["tracks"]["streaming"], setting["tracks"]["apis"]
    form = host.get("/testconf/host/sessions/new").text
    assert f'<option value="{apis.id}">APIs</option>' not in form
    assert f'<option value="{streaming.id}">Streaming</option>' in form
    new = {
        **_form(setting, title="Kafka at the edge", start="14:00", end="14:45"),
        "track": str(streaming.id),
    }
    new.pop("version")
    assert (
        host.post("/testconf/host/sessions/new", data=new, headers=SAME_ORIGIN).status_code == 302
    )
    talk = dbs.execute(select(Talk).where(Talk.title == "Kafka at the edge")).scalar_one()
    assert (talk.track_id, talk.version) == (streaming.id, 1)
    assert _audit(dbs) == [("create", None, None, "2020-03-02 14:00–14:45 · Fleming")]
    refused = host.post(
        "/testconf/host/sessions/new",
        data={**new, "title": "Not mine", "track": str(apis.id)},
        headers=SAME_ORIGIN,
    )
    assert refused.status_code == 403
    trackless = host.post(
        "/testconf/host/sessions/new",
        data={**new, "title": "Nowhere", "track": ""},
        headers=SAME_ORIGIN,
    )
    assert trackless.status_code == 403
    assert dbs.execute(select(Talk).where(Talk.title.in_(["Not mine", "Nowhere"]))).first() is None
    assert (
        "Added: 2020-03-02 14:00–14:45 · Fleming"
        in app.test_client().get("/testconf/changes/").text
    )


def test_a_new_session_obeys_the_rules(app: Flask, setting: dict[str, Any], dbs: Session) -> None:
    new = _form(setting, title="Clash", start="10:15", end="10:45")
    new.pop("version")
    response = as_user(app, "organiser").post(
        "/testconf/host/sessions/new", data=new, headers=SAME_ORIGIN
    )
    assert response.status_code == 422
    assert "“Streams” is in this room then" in response.text
    assert 'value="Clash"' in response.text
    assert dbs.execute(select(Talk).where(Talk.title == "Clash")).first() is None


def test_deleting_is_for_mistakes_a_starred_session_is_cancelled_instead(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    as_user(app, f"guest:{setting['streams'].guid}")  # someone starred Streams
    host = as_user(app, "host")
    starred = host.post(
        f"/testconf/host/sessions/{setting['streams'].guid}/delete",
        data={"version": "1"},
        headers=SAME_ORIGIN,
    )
    later_id = setting["later"].id
    assert starred.status_code == 422
    assert "1 attendee starred this session. Cancel it instead" in starred.text
    assert dbs.get(Talk, setting["streams"].id) is not None
    gone = host.post(
        f"/testconf/host/sessions/{setting['later'].guid}/delete",
        data={"version": "1"},
        headers=SAME_ORIGIN,
    )
    assert gone.status_code == 302
    dbs.expire_all()
    assert dbs.get(Talk, later_id) is None
    assert _audit(dbs) == [("delete", None, "2020-03-02 11:00–11:50 · Fleming", None)]
    changes = app.test_client().get("/testconf/changes/").text
    assert "Removed from the programme (was 2020-03-02 11:00–11:50 · Fleming)" in changes
    other = as_user(app, "other-host").post(
        f"/testconf/host/sessions/{setting['streams'].guid}/delete",
        data={"version": "1"},
        headers=SAME_ORIGIN,
    )
    assert other.status_code == 403


def test_the_quick_move_changes_room_and_time_and_tells_attendees(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    as_user(app, f"guest:{setting['streams'].guid}")
    url = f"/testconf/host/sessions/{setting['streams'].guid}/move"
    host = as_user(app, "host")
    page = host.get(url).text
    assert "+15 min" in page and 'name="version" value="1"' in page
    moved = host.post(
        url,
        data={"version": "1", "room": str(_room(dbs, "fleming").id), "preset": "-5"},
        headers=SAME_ORIGIN,
    )
    assert moved.status_code == 302
    assert _audit(dbs) == [
        ("update", "start", "2020-03-02 10:00", "2020-03-02 09:55"),
        ("update", "end", "2020-03-02 10:50", "2020-03-02 10:45"),
    ]
    [alert] = dbs.execute(select(Notification)).scalars().all()
    assert (alert.kind, alert.talk_id) == ("change", setting["streams"].id)
    # Twenty minutes later it would overlap "Later in Fleming" (11:00) in the same room.
    clash = host.post(url, data={"version": "2", "minutes": "20"}, headers=SAME_ORIGIN)
    assert clash.status_code == 422
    assert "Later in Fleming" in clash.text
    nonsense = host.post(url, data={"version": "2", "minutes": "soon"}, headers=SAME_ORIGIN)
    assert nonsense.status_code == 422 and "whole number of minutes" in nonsense.text
    stale = host.post(url, data={"version": "1", "minutes": "-5"}, headers=SAME_ORIGIN)
    assert stale.status_code == 409


def test_the_track_introduction_is_previewed_then_saved_and_sanitised(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    url = "/testconf/host/tracks/streaming/"
    host = as_user(app, "host")
    text = "Welcome to **streaming**!\n\n<script>alert(1)</script>"
    preview = host.post(url, data={"introduction": text, "preview": "1"}, headers=SAME_ORIGIN)
    assert preview.status_code == 200
    assert "<strong>streaming</strong>" in preview.text and "<script>alert" not in preview.text
    dbs.expire_all()
    assert dbs.get(Track, setting["tracks"]["streaming"].id).introduction == ""  # type: ignore[union-attr]
    assert host.post(url, data={"introduction": text}, headers=SAME_ORIGIN).status_code == 302
    page = app.test_client().get("/testconf/tracks/streaming/").text
    assert "<strong>streaming</strong>" in page and "<script>alert" not in page
    assert as_user(app, "host").get("/testconf/host/tracks/apis/").status_code == 403
    too_long = host.post(url, data={"introduction": "x" * 20_001}, headers=SAME_ORIGIN)
    assert too_long.status_code == 422 and "under 20,000 characters" in too_long.text


def test_the_quick_action_cancels_and_restores(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    url = f"/testconf/host/sessions/{setting['streams'].guid}/move"
    host = as_user(app, "host")
    assert "Cancel this session" in host.get(url).text
    confirmed = {"version": "1", "status": "cancelled", "confirm": "1"}
    cancelled = host.post(url, data=confirmed, headers=SAME_ORIGIN)
    assert cancelled.status_code == 302
    assert "Cancelled “Streams”." in host.get("/testconf/host/").text
    assert "Back on the programme" in host.get(url).text
    restored = host.post(url, data={"version": "2", "status": "scheduled"}, headers=SAME_ORIGIN)
    assert restored.status_code == 302
    assert [(a[0], a[1]) for a in _audit(dbs)] == [("cancel", "status"), ("restore", "status")]


def test_cancelling_asks_first_with_the_number_of_people_told(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    streams = setting["streams"]
    for _ in range(2):
        as_user(app, f"guest:{streams.guid}")  # two attendees starred Streams
    url = f"/testconf/host/sessions/{streams.guid}/move"
    host = as_user(app, "host")
    one_tap = host.post(url, data={"version": "1", "status": "cancelled"}, headers=SAME_ORIGIN)
    assert one_tap.status_code == 422
    assert "2 people starred it and will be told at once that it is cancelled." in one_tap.text
    question = one_tap.text.split('<section class="confirm"')[1].split("</section>")[0]
    assert '<input type="hidden" name="confirm" value="1">' in question
    assert '<input type="hidden" name="status" value="cancelled">' in question
    assert ">Cancel it and tell 2 people</button>" in question
    assert 'name="preset"' not in one_tap.text  # the question, not the move form
    dbs.expire_all()
    assert dbs.get(Talk, streams.id).status == "scheduled"  # type: ignore[union-attr]
    assert _audit(dbs) == []
    assert dbs.execute(select(Notification)).scalars().all() == []
    yes = host.post(
        url, data={"version": "1", "status": "cancelled", "confirm": "1"}, headers=SAME_ORIGIN
    )
    assert yes.status_code == 302
    dbs.expire_all()
    assert dbs.get(Talk, streams.id).status == "cancelled"  # type: ignore[union-attr]
    assert [(a[0], a[1]) for a in _audit(dbs)] == [("cancel", "status")]


def test_cancelling_a_session_nobody_starred_still_asks(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    url = f"/testconf/host/sessions/{setting['later'].guid}/move"
    one_tap = as_user(app, "host").post(
        url, data={"version": "1", "status": "cancelled"}, headers=SAME_ORIGIN
    )
    assert one_tap.status_code == 422
    assert "Nobody has starred it yet" in one_tap.text and ">Cancel it</button>" in one_tap.text
    assert _audit(dbs) == []


def test_the_session_form_asks_before_cancelling(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    as_user(app, f"guest:{setting['streams'].guid}")
    host = as_user(app, "host")
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    asked = host.post(url, data=_form(setting, status="cancelled"), headers=SAME_ORIGIN)
    assert asked.status_code == 422
    assert "1 person starred it and will be told at once that it is cancelled." in asked.text
    assert 'name="confirm" value="1"> Yes, cancel it and tell them</label>' in asked.text
    assert _audit(dbs) == []
    done = host.post(url, data=_form(setting, status="cancelled", confirm="1"), headers=SAME_ORIGIN)
    assert done.status_code == 302
    assert [(a[0], a[1]) for a in _audit(dbs)] == [("cancel", "status")]
    # Saving a session that is already cancelled asks nothing.
    again = host.post(
        url,
        data=_form(setting, status="cancelled", version="2", title="Streams!"),
        headers=SAME_ORIGIN,
    )
    assert again.status_code == 302


def test_two_hosts_editing_one_introduction_never_overwrite_each_other(
    app: Flask, setting: dict[str, Any], make_user, grant_role, dbs: Session
) -> None:
    co_host = make_user(email="co-host@example.org", name="Co")
    grant_role(co_host, setting["conference"], "host", setting["tracks"]["streaming"])
    url = "/testconf/host/tracks/streaming/"
    host, other = as_user(app, "host"), as_user(app, "co-host")
    opened = host.get(url).text
    version = opened.split('name="introduction_version" value="')[1].split('"')[0]
    first = other.post(
        url, data={"introduction": "Theirs", "introduction_version": version}, headers=SAME_ORIGIN
    )
    assert first.status_code == 302
    stale = host.post(
        url, data={"introduction": "Mine", "introduction_version": version}, headers=SAME_ORIGIN
    )
    assert stale.status_code == 409
    assert ">Mine</textarea>" in stale.text and "Saved meanwhile" in stale.text
    assert "<p>Theirs</p>" in stale.text
    dbs.expire_all()
    assert dbs.get(Track, setting["tracks"]["streaming"].id).introduction == "Theirs"  # type: ignore[union-attr]
    fresh = stale.text.split('name="introduction_version" value="')[1].split('"')[0]
    again = host.post(
        url, data={"introduction": "Mine", "introduction_version": fresh}, headers=SAME_ORIGIN
    )
    assert again.status_code == 302  # saving again replaces it knowingly


def test_a_typo_fix_in_the_repeated_autumn_hour_keeps_the_session_where_it_is(
    app: Flask, make_conference, make_talk, make_user, grant_role, dbs: Session
) -> None:
    from datetime import date

    conference = make_conference(start_date=date(2020, 10, 24), end_date=date(2020, 10, 26))
    # 01:30 UTC on 25 October is the *second* 01:30 in London (GMT, after the clocks go back).
    talk = make_talk(conference, "Late", day=date(2020, 10, 25), start="01:30", end="02:00")
    grant_role(make_user(), conference, "organiser")
    client = app.test_client()
    sign_in(client)
    url = f"/testconf/host/sessions/{talk.guid}/"
    page = client.get(url).text
    assert 'value="01:30"' in page and 'value="2020-10-24" selected' in page
    data = {
        "title": "Late (typo fixed)",
        "kind": "talk",
        "room": str(talk.room_id),
        "day": "2020-10-24",
        "start": "01:30",
        "end": "02:00",
        "status": "scheduled",
        "version": "1",
    }
    assert client.post(url, data=data, headers=SAME_ORIGIN).status_code == 302
    dbs.expire_all()
    saved = dbs.get(Talk, talk.id)
    assert saved is not None and (saved.title, saved.start) == ("Late (typo fixed)", talk.start)
    assert _audit(dbs) == [("update", "title", "Late", "Late (typo fixed)")]
    assert dbs.execute(select(Notification)).first() is None


def test_a_time_the_clocks_skip_is_refused(
    app: Flask, make_conference, make_talk, make_user, grant_role, dbs: Session
) -> None:
    from datetime import date

    conference = make_conference(start_date=date(2020, 3, 28), end_date=date(2020, 3, 29))
    talk = make_talk(conference, "Early", day=date(2020, 3, 28), start="10:00", end="10:30")
    grant_role(make_user(), conference, "organiser")
    client = app.test_client()
    sign_in(client)
    data = {
        "title": "Early",
        "kind": "talk",
        "day": "2020-03-28",
        "start": "01:30",  # after midnight: 29 March, when 01:00–02:00 does not happen
        "end": "03:00",
        "status": "scheduled",
        "version": "1",
    }
    refused = client.post(f"/testconf/host/sessions/{talk.guid}/", data=data, headers=SAME_ORIGIN)
    assert refused.status_code == 422
    assert "01:30 does not exist on that day: the clocks go forward." in refused.text
    api = client.patch(
        f"/api/v1/sessions/{talk.guid}",
        json={"start": "2020-03-29T01:30", "end": "2020-03-29T03:00"},
        headers={**SAME_ORIGIN, "If-Match": 'W/"v1"'},
    )
    assert api.status_code == 422
    assert "does not exist" in api.get_json()["error"]["fields"]["start"]
    dbs.expire_all()
    assert dbs.get(Talk, talk.id).version == 1  # type: ignore[union-attr]
