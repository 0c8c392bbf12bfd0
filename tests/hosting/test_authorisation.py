"""Who may write what: every write endpoint of the editing pages, the organiser's pages, the
editing API and the room's features (votes, questions, room full), against anonymous, guest,
attendee, host of another track, host of this track and organiser, with the exact status of
each. A refusal writes nothing (no audit row, no live event); a programme edit is audited.

The table must name every write endpoint of those blueprints: a new one fails the coverage test
until it is added here."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.accounts.models import Role, User
from companion.hosting.models import AuditEntry
from companion.live.models import LiveEvent
from companion.occupancy.models import FullRoom
from companion.programme.models import Floor, Room, Talk, Track
from companion.questions.models import Question, QuestionVote
from companion.venue.models import FloorMap
from companion.votes.models import Vote
from tests.conftest import SAME_ORIGIN, _slugify
from tests.hosting.conftest import as_user
from tests.photos.images import jpeg
from tests.venue.test_views import MAP

WHO = (None, "guest", "attendee", "other-host", "host", "organiser")

#: Forms of the host's pages: a host of the session's track and organisers may.
HOST_FORM = dict(zip(WHO, (302, 403, 403, 403, 302, 302), strict=True))
#: The organiser's pages: organisers only. Anonymous people are sent to sign in.
ADMIN_FORM = dict(zip(WHO, (302, 403, 403, 403, 403, 302), strict=True))
#: Everyone's writes (a vote, a question, an upvote): a guest is made for someone not signed in.
ANYONE = dict.fromkeys(WHO, 200)
ANYONE_NEW = dict.fromkeys(WHO, 201)
ANYONE_FORM = dict.fromkeys(WHO, 303)
#: A track host's tools in the room (room full): the host of the session's track, organisers.
ROOM_TOOL = dict(zip(WHO, (401, 403, 403, 403, 200, 200), strict=True))
#: Moderating questions: the API refuses guests with 401, as the editing API does; the form sends
#: nobody to sign in and refuses the rest.
MODERATE_API = dict(zip(WHO, (401, 401, 403, 403, 200, 200), strict=True))
MODERATE_FORM = dict(zip(WHO, (302, 403, 403, 403, 303, 303), strict=True))
#: The JSON API answers 401 to anyone not signed in with an account.
API_EDIT = dict(zip(WHO, (401, 401, 403, 403, 200, 200), strict=True))
API_DELETE = {**API_EDIT, "host": 204, "organiser": 204}

_counter = itertools.count()


@dataclass
class Context:
    """What a row needs to make a fresh target for each attempt."""

    app: Flask
    setting: dict[str, Any]
    dbs: Session
    make_talk: Callable[..., Talk]

    def talk(self) -> Talk:
        """A new session in Streaming, in no room, at a time of its own on the last day."""
        n = next(_counter) % 90  # a fresh database per test: only neighbours must differ
        return self.make_talk(
            self.setting["conference"],
            f"Throwaway {n}",
            day=self.setting["conference"].end_date,
            start=f"{8 + n // 6:02d}:{(n % 6) * 10:02d}",
            end=f"{8 + n // 6:02d}:{(n % 6) * 10 + 5:02d}",
            room=None,
            track="Streaming",
        )

    def add(self, thing: Any) -> Any:
        """Commit a new row and return it."""
        self.dbs.add(thing)
        self.dbs.commit()
        return thing

    @property
    def conference_id(self) -> int:
        """The conference's id."""
        return int(self.setting["conference"].id)


Request = tuple[str, str, dict[str, Any]]  # method, URL, keyword arguments for the client


def _on_now(c: Context, *, room: str | None = None) -> Talk:
    """A fresh session in Streaming that is on now (the app's clock is set into it)."""
    talk = (
        c.talk()
        if room is None
        else c.make_talk(
            c.setting["conference"],
            f"In {room}",
            day=c.setting["conference"].end_date,
            start="09:00",
            end="23:00",
            room=room,
            track="Streaming",
        )
    )
    c.app.config["FIXED_NOW"] = (talk.start + timedelta(minutes=1)).isoformat()
    return talk


def _question(c: Context) -> Question:
    """A question of somebody else's, to a session on now."""
    talk = _on_now(c)
    return c.add(
        Question(talk_id=talk.id, conference_id=c.conference_id, user_id=None, text="Why?")
    )


def _photo_to_delete(c: Context) -> Request:
    """Ada (who speaks in Streaming) with a photo an organiser put in, to be removed."""
    organiser = as_user(c.app, "organiser")
    put = organiser.post(
        "/testconf/host/speakers/ada/photo",
        data={"photo": (io.BytesIO(jpeg()), "ada.jpg")},
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert put.status_code == 302, put.text[:300]
    return "POST", "/testconf/host/speakers/ada/photo/delete", {}


def _room_on_now(c: Context) -> str:
    """The path of a fresh room with a Streaming session on in it now."""
    room = f"Hall {next(_counter)}"
    _on_now(c, room=room)
    return f"/api/v1/conferences/testconf/rooms/{_slugify(room)}/full"


def _edit_form(c: Context) -> Request:
    talk = c.talk()
    data = {
        "title": f"{talk.title}, edited",
        "kind": "talk",
        "track": str(talk.track_id),
        "room": "",
        "day": str(c.setting["conference"].end_date),
        "start": f"{talk.start:%H:%M}",
        "end": f"{talk.end:%H:%M}",
        "status": "scheduled",
        "version": "1",
        # The session's resources (issue 18) are part of the same form and the same check.
        "link_kind": ["slides", "stream"],
        "link_url": [f"https://slides.example/{talk.guid}.pdf", ""],
        "link_title": ["", ""],
    }
    return "POST", f"/testconf/host/sessions/{talk.guid}/", {"data": data}


def _new_form(c: Context) -> Request:
    n = next(_counter)
    data = {
        "title": f"New {n}",
        "kind": "talk",
        "track": str(c.setting["tracks"]["streaming"].id),
        "day": str(c.setting["conference"].start_date),
        "start": "17:00",
        "end": "17:30",
        "status": "scheduled",
    }
    return "POST", "/testconf/host/sessions/new", {"data": data}


def _room(c: Context) -> Room:
    n = next(_counter)
    return c.add(Room(conference_id=c.conference_id, slug=f"spare-{n}", name=f"Spare {n}"))


def _floor(c: Context) -> Floor:
    n = next(_counter)
    return c.add(Floor(conference_id=c.conference_id, slug=f"level-{n}", name=f"Level {n}"))


def _track(c: Context) -> Track:
    n = next(_counter)
    return c.add(Track(conference_id=c.conference_id, slug=f"spare-{n}", name=f"Spare {n}"))


def _role(c: Context) -> Role:
    n = next(_counter)
    user = c.add(User(email=f"helper{n}@example.org", name="Helper", password_hash="-"))
    return c.add(
        Role(
            user_id=user.id,
            conference_id=c.conference_id,
            kind="host",
            track_id=c.setting["tracks"]["streaming"].id,
        )
    )


def _mapped_floor(c: Context) -> tuple[Floor, Room]:
    """A fresh floor with a map of its own and one room on it."""
    floor = _floor(c)
    c.add(
        FloorMap(
            floor_id=floor.id,
            conference_id=c.conference_id,
            kind="svg",
            content=MAP,
            view_box="0 0 200 100",
            width=200,
            height=100,
            filename="plan.svg",
        )
    )
    room = _room(c)
    room.floor_id = floor.id
    c.dbs.commit()
    return floor, room


def _place(c: Context) -> Request:
    floor, room = _mapped_floor(c)
    url = f"/testconf/admin/venue/floors/{floor.slug}/rooms"
    return "POST", url, {"data": {f"room-{room.id}": "lifts"}}


def _schedule_file(c: Context) -> bytes:
    """This conference's own schedule.json with one title changed (an upstream edit)."""
    exported = c.app.test_client().get("/testconf/schedule.json").data
    assert b'"Streams"' in exported
    return exported.replace(b'"Streams"', b'"Streams, as imported"')


def _import_upload(c: Context) -> Request:
    data = {"file": (io.BytesIO(_schedule_file(c)), "schedule.json")}
    return "POST", "/testconf/admin/import/", {"data": data, "content_type": "multipart/form-data"}


def _import_confirm(c: Context) -> Request:
    """The organiser's preview of an import, confirmed (by whoever the table tries)."""
    method, url, kwargs = _import_upload(c)
    preview = as_user(c.app, "organiser").open(url, method=method, headers=SAME_ORIGIN, **kwargs)
    fields = dict(re.findall(r'name="(token|payload)" value="([^"]*)"', preview.text))
    assert set(fields) == {"token", "payload"}, preview.text[:300]
    return "POST", "/testconf/admin/import/confirm", {"data": fields}


def _conference_form(c: Context) -> Request:
    n = next(_counter)
    data = {
        "name": f"Test Conf {n}",
        "timezone": "Europe/London",
        "start_date": "2020-03-02",
        "end_date": "2020-03-04",
        "day_change_hour": "4",
    }
    return "POST", "/testconf/admin/conference", {"data": data}


#: endpoint → (make the request, statuses by person, is a success audited?)
TABLE: dict[str, tuple[Callable[[Context], Request], dict[str | None, int], bool]] = {
    "host.new_session": (_new_form, HOST_FORM, True),
    "host.edit_session": (_edit_form, HOST_FORM, True),
    "host.delete_session": (
        lambda c: (
            "POST",
            f"/testconf/host/sessions/{c.talk().guid}/delete",
            {"data": {"version": "1"}},
        ),
        HOST_FORM,
        True,
    ),
    "host.move_session": (
        lambda c: (
            "POST",
            f"/testconf/host/sessions/{c.talk().guid}/move",
            {"data": {"version": "1", "preset": "5"}},
        ),
        HOST_FORM,
        True,
    ),
    "host.edit_track": (
        lambda c: (
            "POST",
            "/testconf/host/tracks/streaming/",
            {"data": {"introduction": f"Hello {next(_counter)}"}},
        ),
        HOST_FORM,
        True,
    ),
    "host.edit_speaker": (
        lambda c: (
            "POST",
            "/testconf/host/speakers/ada/",  # Ada speaks in Streaming
            {"data": {"link_kind": [""], "link_url": [f"https://ada.example/{next(_counter)}"]}},
        ),
        HOST_FORM,
        True,
    ),
    "hosting_api.patch_session": (
        lambda c: (
            "PATCH",
            f"/api/v1/sessions/{c.talk().guid}",
            {"json": {"title": "Patched"}, "headers": {"If-Match": 'W/"v1"'}},
        ),
        API_EDIT,
        True,
    ),
    "hosting_api.delete_session": (
        lambda c: (
            "DELETE",
            f"/api/v1/sessions/{c.talk().guid}",
            {"headers": {"If-Match": 'W/"v1"'}},
        ),
        API_DELETE,
        True,
    ),
    "admin.edit_conference": (_conference_form, ADMIN_FORM, True),
    "admin.tracks": (
        lambda c: (
            "POST",
            "/testconf/admin/tracks/",
            {"data": {"name": f"T{next(_counter)}", "colour": "#123456"}},
        ),
        ADMIN_FORM,
        True,
    ),
    "admin.edit_track": (
        lambda c: (
            "POST",
            f"/testconf/admin/tracks/{_track(c).slug}",
            {"data": {"name": f"Renamed {next(_counter)}", "colour": "#123456"}},
        ),
        ADMIN_FORM,
        True,
    ),
    "admin.delete_track": (
        lambda c: ("POST", f"/testconf/admin/tracks/{_track(c).slug}/delete", {}),
        ADMIN_FORM,
        True,
    ),
    "admin.add_room": (
        lambda c: ("POST", "/testconf/admin/rooms/", {"data": {"name": f"Room {next(_counter)}"}}),
        ADMIN_FORM,
        True,
    ),
    "admin.edit_room": (
        lambda c: (
            "POST",
            f"/testconf/admin/rooms/{_room(c).slug}",
            {"data": {"name": f"Renamed {next(_counter)}"}},
        ),
        ADMIN_FORM,
        True,
    ),
    "admin.delete_room": (
        lambda c: ("POST", f"/testconf/admin/rooms/{_room(c).slug}/delete", {}),
        ADMIN_FORM,
        True,
    ),
    "admin.add_floor": (
        lambda c: (
            "POST",
            "/testconf/admin/floors/",
            {"data": {"name": f"F{next(_counter)}", "level": "1"}},
        ),
        ADMIN_FORM,
        True,
    ),
    "admin.edit_floor": (
        lambda c: (
            "POST",
            f"/testconf/admin/floors/{_floor(c).slug}",
            {"data": {"name": f"Renamed {next(_counter)}", "level": "2"}},
        ),
        ADMIN_FORM,
        True,
    ),
    "admin.delete_floor": (
        lambda c: ("POST", f"/testconf/admin/floors/{_floor(c).slug}/delete", {}),
        ADMIN_FORM,
        True,
    ),
    "admin.roles": (
        lambda c: (
            "POST",
            "/testconf/admin/roles/",
            {"data": {"email": f"new{next(_counter)}@example.org", "kind": "organiser"}},
        ),
        ADMIN_FORM,  # the new account's invitation goes to them by mail
        True,
    ),
    "admin.remove_role": (
        lambda c: ("POST", f"/testconf/admin/roles/{_role(c).id}/delete", {}),
        ADMIN_FORM,
        True,
    ),
    "venue.upload_map": (
        lambda c: (
            "POST",
            f"/testconf/admin/venue/floors/{_floor(c).slug}/map",
            {"data": {"map": (io.BytesIO(MAP), "plan.svg")}},
        ),
        ADMIN_FORM,
        True,
    ),
    "venue.save_places": (_place, ADMIN_FORM, True),
    "venue.delete_map": (
        lambda c: (
            "POST",
            f"/testconf/admin/venue/floors/{_mapped_floor(c)[0].slug}/map/delete",
            {},
        ),
        ADMIN_FORM,
        True,
    ),
    # The preview writes nothing (200 for the organiser); the confirmation applies and audits it.
    "exchange.import_schedule": (_import_upload, {**ADMIN_FORM, "organiser": 200}, False),
    "exchange.confirm_import": (_import_confirm, ADMIN_FORM, True),
    # In the room (issue 18).
    "votes.api_vote": (
        lambda c: ("PUT", f"/api/v1/me/votes/{_on_now(c).guid}", {"json": {"vote": "green"}}),
        ANYONE_NEW,
        False,
    ),
    "votes.api_unvote": (
        lambda c: ("DELETE", f"/api/v1/me/votes/{_on_now(c).guid}", {}),
        ANYONE,
        False,
    ),
    "votes.vote_form": (
        lambda c: (
            "POST",
            f"/testconf/sessions/{_on_now(c).guid}/vote",
            {"data": {"vote": "yellow"}},
        ),
        ANYONE,
        False,
    ),
    "questions.api_ask": (
        lambda c: (
            "POST",
            f"/api/v1/sessions/{_on_now(c).guid}/questions",
            {"json": {"text": "How?"}},
        ),
        ANYONE_NEW,
        False,
    ),
    "questions.ask_form": (
        lambda c: (
            "POST",
            f"/testconf/sessions/{_on_now(c).guid}/questions",
            {"data": {"text": "How?"}},
        ),
        ANYONE_FORM,
        False,
    ),
    "questions.api_upvote": (
        lambda c: ("PUT", f"/api/v1/questions/{_question(c).id}/vote", {}),
        ANYONE,
        False,
    ),
    "questions.api_unvote": (
        lambda c: ("DELETE", f"/api/v1/questions/{_question(c).id}/vote", {}),
        ANYONE,
        False,
    ),
    "questions.vote_form": (
        lambda c: ("POST", f"/testconf/questions/{_question(c).id}/vote", {"data": {}}),
        ANYONE_FORM,
        False,
    ),
    "questions.api_moderate": (
        lambda c: (
            "PATCH",
            f"/api/v1/questions/{_question(c).id}",
            {"json": {"state": "hidden"}},
        ),
        MODERATE_API,
        False,
    ),
    "questions.moderate_form": (
        lambda c: (
            "POST",
            f"/testconf/questions/{_question(c).id}/moderate",
            {"data": {"pinned": "pin"}},
        ),
        MODERATE_FORM,
        False,
    ),
    "photos.edit_photo": (
        lambda c: (
            "POST",
            "/testconf/host/speakers/ada/photo",
            {
                # Another picture each time: the same one again changes (and audits) nothing.
                "data": {"photo": (io.BytesIO(jpeg(300 + next(_counter))), "ada.jpg")},
                "content_type": "multipart/form-data",
            },
        ),
        HOST_FORM,
        True,
    ),
    "photos.delete_photo": (_photo_to_delete, HOST_FORM, True),
    "occupancy.mark_full": (lambda c: ("PUT", _room_on_now(c), {}), ROOM_TOOL, False),
    "occupancy.mark_open": (lambda c: ("DELETE", _room_on_now(c), {}), ROOM_TOOL, False),
}


def test_the_table_names_every_write_endpoint(app: Flask) -> None:
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if {"POST", "PUT", "PATCH", "DELETE"} & (rule.methods or set())
        and (
            rule.endpoint.split(".")[0]
            in (
                "host",
                "hosting",
                "hosting_api",
                "admin",
                "votes",
                "questions",
                "occupancy",
                "photos",
            )
            or "/admin/" in rule.rule
        )
    }
    assert writes == set(TABLE)


def _audit_count(dbs: Session) -> int:
    return dbs.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _written(dbs: Session) -> tuple[int, ...]:
    """Rows a write leaves: audit entries, live events, votes, questions, upvotes, full rooms."""
    tables = (LiveEvent, Vote, Question, QuestionVote, FullRoom)
    return tuple(dbs.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_who_may_write(
    app: Flask, setting: dict[str, Any], dbs: Session, make_talk: Callable[..., Talk], endpoint: str
) -> None:
    make, statuses, audited = TABLE[endpoint]
    context = Context(app, setting, dbs, make_talk)
    clients = {
        who: as_user(app, f"guest:{setting['apis'].guid}" if who == "guest" else who) for who in WHO
    }
    for who in WHO:
        method, url, kwargs = make(context)
        before, rows = _audit_count(dbs), _written(dbs)
        response = clients[who].open(
            url,
            method=method,
            **{**kwargs, "headers": {**SAME_ORIGIN, **kwargs.get("headers", {})}},
        )
        assert response.status_code == statuses[who], (who, response.text[:300])
        written = _audit_count(dbs) - before
        refused = statuses[who] in (401, 403) or (who is None and statuses[who] == 302)
        if refused:  # refused, or sent to sign in: nothing is left behind
            assert (written, _written(dbs)) == (0, rows), who
        elif audited:
            assert written > 0, who
        else:  # a write of the room's: never a programme edit
            assert written == 0, who
