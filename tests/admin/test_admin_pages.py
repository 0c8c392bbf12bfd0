"""The organiser's pages: each form saves what it should, refuses what it should with a message
next to the field, writes nothing half-done and leaves an audit row."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import Role, User
from companion.hosting.models import AuditEntry
from companion.programme.models import Conference, Floor, Room, Track, TrackHost
from tests.conftest import SAME_ORIGIN, Mailbox, sign_in
from tests.hosting.conftest import as_user

H = SAME_ORIGIN


def _audit(dbs: Session, subject: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (a.action, a.field, a.old, a.new)
        for a in dbs.execute(
            select(AuditEntry).where(AuditEntry.subject == subject).order_by(AuditEntry.id)
        ).scalars()
    ]


def _conference_form(**values: str) -> dict[str, str]:
    base = {
        "name": "Test Conf",
        "venue": "QEII Centre",
        "address": "",
        "url": "",
        "timezone": "Europe/London",
        "start_date": "2020-03-02",
        "end_date": "2020-03-04",
        "day_change_hour": "4",
    }
    return {**base, **values}


def test_only_organisers_see_the_admin_pages(app: Flask, setting: dict[str, Any]) -> None:
    assert as_user(app, "organiser").get("/testconf/admin/").status_code == 200
    for who in ("host", "attendee"):
        assert as_user(app, who).get("/testconf/admin/").status_code == 403
    assert as_user(app, None).get("/testconf/admin/").status_code == 302  # to sign in


def test_the_conference_is_edited_and_audited(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    organiser = as_user(app, "organiser")
    assert 'value="Europe/London"' in organiser.get("/testconf/admin/conference").text
    saved = organiser.post(
        "/testconf/admin/conference",
        data=_conference_form(name="QCon London", end_date="2020-03-05"),
        headers=H,
    )
    assert saved.status_code == 302
    dbs.expire_all()
    conference = dbs.execute(select(Conference)).scalar_one()
    assert (conference.name, str(conference.end_date)) == ("QCon London", "2020-03-05")
    assert _audit(dbs, "conference") == [
        ("update", "name", "Test Conf", "QCon London"),
        ("update", "end_date", "2020-03-04", "2020-03-05"),
    ]
    assert "QCon London" in app.test_client().get("/testconf/").text  # the cache moved on


def test_the_conference_form_refuses_bad_values_and_changes_nothing(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    organiser = as_user(app, "organiser")
    cases = [
        ({"timezone": "Mars/Olympus"}, "f-timezone-error", "Choose a time zone"),
        ({"end_date": "2020-03-01"}, "f-end_date-error", "must end on or after its first day"),
        ({"start_date": "March"}, "f-start_date-error", "YYYY-MM-DD"),
        ({"name": " "}, "f-name-error", "needs a name"),
        ({"day_change_hour": "25"}, "f-day_change_hour-error", "from 0 to 12"),
        ({"url": "javascript:alert(1)"}, "f-url-error", "https://"),
        # Sessions on 2 March would fall outside a conference starting on the 3rd.
        ({"start_date": "2020-03-03"}, "f-start_date-error", "3 sessions would fall outside"),
    ]
    for values, field_id, text in cases:
        response = organiser.post(
            "/testconf/admin/conference",
            data=_conference_form(**{"name": "Changed", **values}),
            headers=H,
        )
        assert response.status_code == 422, values
        assert f'id="{field_id}">' in response.text and text in response.text, values
    dbs.expire_all()
    assert dbs.execute(select(Conference.name)).scalar_one() == "Test Conf"
    assert _audit(dbs, "conference") == []


def test_tracks_are_added_edited_and_deleted_only_when_empty(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    organiser = as_user(app, "organiser")
    added = organiser.post(
        "/testconf/admin/tracks/", data={"name": "Data Mesh", "colour": "#112233"}, headers=H
    )
    assert added.status_code == 302
    track = dbs.execute(select(Track).where(Track.slug == "data-mesh")).scalar_one()
    grace = setting["speakers"]["grace"]
    edited = organiser.post(
        "/testconf/admin/tracks/data-mesh",
        data={"name": "Data Mesh in practice", "colour": "#445566", "hosts": [str(grace.id)]},
        headers=H,
    )
    assert edited.status_code == 302
    dbs.expire_all()
    assert dbs.execute(
        select(TrackHost.speaker_id).where(TrackHost.track_id == track.id)
    ).all() == [(grace.id,)]
    assert "hosted by Grace" in organiser.get("/testconf/admin/tracks/").text
    assert ("update", "hosts", "", "Grace") in _audit(dbs, "track")
    bad = organiser.post(
        "/testconf/admin/tracks/data-mesh", data={"name": "X", "colour": "red"}, headers=H
    )
    assert bad.status_code == 422 and "Pick a colour" in bad.text
    busy = organiser.post("/testconf/admin/tracks/streaming/delete", headers=H)
    assert busy.status_code == 302
    assert "still has 2 sessions" in organiser.get(busy.headers["Location"]).text
    assert dbs.execute(select(Track).where(Track.slug == "streaming")).first() is not None
    assert organiser.post("/testconf/admin/tracks/data-mesh/delete", headers=H).status_code == 302
    assert dbs.execute(select(Track).where(Track.slug == "data-mesh")).first() is None


def test_floors_and_rooms(app: Flask, setting: dict[str, Any], dbs: Session) -> None:
    organiser = as_user(app, "organiser")
    assert (
        organiser.post(
            "/testconf/admin/floors/", data={"name": "3rd floor", "level": "3"}, headers=H
        ).status_code
        == 302
    )
    dbs.expire_all()
    floor = dbs.execute(select(Floor)).scalar_one()
    added = organiser.post(
        "/testconf/admin/rooms/",
        data={
            "name": "Churchill",
            "floor": str(floor.id),
            "capacity": "300",
            "description": "Left of the lifts",
        },
        headers=H,
    )
    assert added.status_code == 302
    room = dbs.execute(select(Room).where(Room.slug == "churchill")).scalar_one()
    assert (room.floor_id, room.capacity, room.description) == (floor.id, 300, "Left of the lifts")
    refused = organiser.post(
        "/testconf/admin/rooms/", data={"name": "", "capacity": "many", "floor": "999"}, headers=H
    )
    assert refused.status_code == 422
    assert "A room needs a name." in refused.text and "number of seats" in refused.text
    assert "Choose a floor of this venue." in refused.text
    in_use = organiser.post("/testconf/admin/rooms/fleming/delete", headers=H)
    assert "2 sessions are in Fleming" in organiser.get(in_use.headers["Location"]).text
    floor_in_use = organiser.post("/testconf/admin/floors/3rd-floor/delete", headers=H)
    assert "Rooms are still on 3rd floor" in organiser.get(floor_in_use.headers["Location"]).text
    assert organiser.post("/testconf/admin/rooms/churchill/delete", headers=H).status_code == 302
    assert organiser.post("/testconf/admin/floors/3rd-floor/delete", headers=H).status_code == 302
    assert dbs.execute(select(Room).where(Room.slug == "churchill")).first() is None
    assert _audit(dbs, "room") == [
        ("create", "name", None, "Churchill"),
        ("create", "capacity", None, "300"),
        ("create", "description", None, "Left of the lifts"),
        ("create", "floor", None, "3rd floor"),
        ("delete", "name", "Churchill", None),
    ]
    rooms_page = app.test_client().get("/testconf/rooms/").text
    assert "Fleming" in rooms_page and "Churchill" not in rooms_page


def test_an_organiser_invites_a_host_who_can_then_edit_their_track(
    app: Flask, setting: dict[str, Any], dbs: Session, mailbox: Mailbox
) -> None:
    organiser = as_user(app, "organiser")
    streaming = setting["tracks"]["streaming"]
    page = organiser.post(
        "/testconf/admin/roles/",
        data={
            "email": "New.Host@Example.org",
            "name": "Nia",
            "kind": "host",
            "track": str(streaming.id),
        },
        headers=H,
    )
    assert page.status_code == 302
    roles_page = organiser.get(page.headers["Location"]).text
    assert "new.host@example.org has the new role. An invitation" in roles_page
    assert "invited, no password yet" in roles_page
    assert "/password-reset/" not in roles_page  # the link goes to them, not to the organiser
    invited = dbs.execute(select(User).where(User.email == "new.host@example.org")).scalar_one()
    assert invited.password_hash == "!"  # no password matches it
    assert sign_in(app.test_client(), "new.host@example.org", "!").status_code == 422
    mail = mailbox.messages[0]
    assert (mail["To"], mail["Subject"]) == (
        "new.host@example.org",
        "You are invited to edit Test Conf",
    )
    assert "has added you as host of Streaming" in mailbox.body()
    assert "within 7 days" in mailbox.body()
    host = app.test_client()
    form = host.get(mailbox.link())
    assert form.status_code == 200 and "Choose your password" in form.text
    chosen = host.post(
        mailbox.link(), data={"password": "my own choice", "confirm": "my own choice"}, headers=H
    )
    assert chosen.status_code == 302
    assert "Streams" in host.get("/testconf/host/").text
    assert sign_in(app.test_client(), "new.host@example.org", "my own choice").status_code == 302
    # An existing account just gets the role; nobody is signed in or out by it.
    again = organiser.post(
        "/testconf/admin/roles/",
        data={"email": "attendee@example.org", "kind": "organiser"},
        headers=H,
    )
    assert again.status_code == 302
    assert organiser.get("/testconf/admin/").status_code == 200
    attendee = dbs.execute(select(User).where(User.email == "attendee@example.org")).scalar_one()
    role = dbs.execute(select(Role).where(Role.user_id == attendee.id)).scalar_one()
    assert role.kind == "organiser"
    assert organiser.post(f"/testconf/admin/roles/{role.id}/delete", headers=H).status_code == 302
    assert as_user(app, "attendee").get("/testconf/admin/").status_code == 403
    missing = organiser.post(
        "/testconf/admin/roles/", data={"email": "x@example.org", "kind": "host"}, headers=H
    )
    assert missing.status_code == 422 and "Choose the track they host." in missing.text
    assert dbs.execute(select(User).where(User.email == "x@example.org")).first() is None


def test_the_last_organiser_stays(app: Flask, setting: dict[str, Any], dbs: Session) -> None:
    organiser = as_user(app, "organiser")
    role = dbs.execute(select(Role).where(Role.kind == "organiser")).scalar_one()
    response = organiser.post(f"/testconf/admin/roles/{role.id}/delete", headers=H)
    assert "keeps at least one organiser" in organiser.get(response.headers["Location"]).text
    assert dbs.execute(select(Role).where(Role.kind == "organiser")).first() is not None


def test_the_audit_log_shows_every_change(app: Flask, setting: dict[str, Any]) -> None:
    organiser = as_user(app, "organiser")
    organiser.patch(
        f"/api/v1/sessions/{setting['streams'].guid}",
        json={"room": "whittle", "start": "2020-03-02T12:00", "end": "2020-03-02T12:50"},
        headers={**H, "If-Match": 'W/"v1"'},
    )
    organiser.post("/testconf/admin/floors/", data={"name": "Ground", "level": "0"}, headers=H)
    log = organiser.get("/testconf/admin/audit/").text
    assert "room: Fleming → Whittle" in log
    assert "Floor Ground" in log and "name: — → Ground" in log
    assert log.index("Floor Ground") < log.index("room: Fleming")  # newest first
    assert as_user(app, "host").get("/testconf/admin/audit/").status_code == 403


def test_a_room_moved_to_another_floor_leaves_its_place_on_the_old_map(
    app: Flask, setting: dict[str, Any], dbs: Session, make_floor
) -> None:
    from companion.venue.models import RoomPlace

    conference = setting["conference"]
    ground, first = make_floor(conference, "Ground"), make_floor(conference, "First", 1)
    fleming = dbs.execute(select(Room).where(Room.slug == "fleming")).scalar_one()
    fleming.floor_id = ground.id
    dbs.add(RoomPlace(room_id=fleming.id, conference_id=conference.id, shape_id="fleming"))
    dbs.commit()
    organiser = as_user(app, "organiser")
    same_floor = {"name": "Fleming", "floor": str(ground.id), "capacity": "120"}
    assert (
        organiser.post("/testconf/admin/rooms/fleming", data=same_floor, headers=H).status_code
        == 302
    )
    assert dbs.execute(select(RoomPlace)).scalars().all() != []
    moved = {**same_floor, "floor": str(first.id)}
    assert organiser.post("/testconf/admin/rooms/fleming", data=moved, headers=H).status_code == 302
    assert dbs.execute(select(RoomPlace)).scalars().all() == []


def test_removing_every_host_moves_the_public_pages_on(
    app: Flask, setting: dict[str, Any], dbs: Session, make_host
) -> None:
    streaming = setting["tracks"]["streaming"]
    make_host(streaming, setting["speakers"]["ada"])
    public = app.test_client()
    before = public.get("/testconf/tracks/streaming/")
    assert "Track host" in before.text
    organiser = as_user(app, "organiser")
    same_but_no_hosts = {"name": streaming.name, "colour": streaming.colour}
    saved = organiser.post("/testconf/admin/tracks/streaming", data=same_but_no_hosts, headers=H)
    assert saved.status_code == 302
    after = public.get(
        "/testconf/tracks/streaming/", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and "Track host" not in after.text


def _fingerprint(html: str) -> str:
    return html.split('name="fingerprint" value="')[1].split('"')[0]


def test_two_organisers_never_silently_overwrite_each_other(
    app: Flask, setting: dict[str, Any], dbs: Session, make_user, grant_role
) -> None:
    second = make_user(email="second@example.org", name="Sam")
    grant_role(second, setting["conference"], "organiser")
    first, other = as_user(app, "organiser"), as_user(app, "second")
    cases = [
        (
            "/testconf/admin/conference",
            _conference_form(name="Theirs"),
            _conference_form(name="Mine"),
        ),
        (
            "/testconf/admin/tracks/streaming",
            {"name": "Streaming (theirs)", "colour": "#112233"},
            {"name": "Streaming (mine)", "colour": "#445566"},
        ),
        ("/testconf/admin/rooms/fleming", {"name": "Fleming (theirs)"}, {"name": "Fleming (mine)"}),
    ]
    for url, theirs, mine in cases:
        opened = _fingerprint(first.get(url).text)
        assert other.post(url, data=theirs, headers=H).status_code == 302
        stale = first.post(url, data={**mine, "fingerprint": opened}, headers=H)
        assert stale.status_code == 409, url
        assert "Someone else saved this after you opened it" in stale.text
        assert f'value="{mine["name"]}"' in stale.text  # the input is kept
        fresh = _fingerprint(stale.text)
        assert first.post(url, data={**mine, "fingerprint": fresh}, headers=H).status_code == 302
    dbs.expire_all()
    assert dbs.execute(select(Conference.name)).scalar_one() == "Mine"


def test_adding_an_invited_host_again_resends_the_invitation(
    app: Flask, setting: dict[str, Any], mailbox: Mailbox
) -> None:
    organiser = as_user(app, "organiser")
    invite = {"email": "late@example.org", "kind": "organiser"}
    organiser.post("/testconf/admin/roles/", data=invite, headers=H)
    organiser.post("/testconf/admin/roles/", data=invite, headers=H)
    assert [m["To"] for m in mailbox.messages] == ["late@example.org"] * 2
    assert mailbox.link(0) != mailbox.link(1)
    assert app.test_client().get(mailbox.link(0)).status_code == 200  # both work until one is used


def test_an_invitation_that_cannot_be_sent_says_so_and_the_role_stays(
    app: Flask, setting: dict[str, Any], dbs: Session, mailbox: Mailbox
) -> None:
    mailbox.refuse = True
    organiser = as_user(app, "organiser")
    added = organiser.post(
        "/testconf/admin/roles/", data={"email": "x@example.org", "kind": "organiser"}, headers=H
    )
    assert added.status_code == 302
    page = organiser.get(added.headers["Location"]).text
    assert "the invitation mail could not be sent just now" in page
    user = dbs.execute(select(User).where(User.email == "x@example.org")).scalar_one()
    assert dbs.execute(select(Role).where(Role.user_id == user.id)).scalar_one().kind == "organiser"


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202eevil", "ok \u2066x", "\u3164"])
def test_organisers_forms_refuse_names_that_show_as_something_else(
    app: Flask, setting, dbs: Session, name: str
) -> None:
    """Probe 3, N2: a track, room or floor name must be visible text, read as it is."""
    organiser = as_user(app, "organiser")
    for url, data in (
        ("/testconf/admin/tracks/", {"name": name, "colour": "#112233"}),
        ("/testconf/admin/rooms/", {"name": name}),
        ("/testconf/admin/floors/", {"name": name, "level": "2"}),
    ):
        response = organiser.post(url, data=data, headers=H)
        assert response.status_code == 422, url
        assert "Use visible text" in response.text
