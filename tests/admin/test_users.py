"""The organiser's users page: find this conference's people and reset a forgotten password;
another conference's people are out of reach."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from companion.agenda.models import Star
from companion.programme.models import Track
from tests.conftest import SAME_ORIGIN, sign_in
from tests.hosting.conftest import as_user


def _star(dbs: Session, user: Any, talk: Any) -> None:
    dbs.add(
        Star(
            user_id=user.id,
            talk_id=talk.id,
            seen_start=talk.start,
            seen_end=talk.end,
            seen_room_id=talk.room_id,
            seen_status=talk.status,
        )
    )
    dbs.commit()


def test_an_organiser_resets_a_password_of_their_conferences_attendee(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    _star(dbs, setting["users"]["attendee"], setting["streams"])
    organiser = as_user(app, "organiser")
    found = organiser.get("/testconf/admin/users/?q=attendee")
    assert "attendee@example.org" in found.text
    user_id = found.text.split('name="user_id" value="')[1].split('"')[0]
    reset = organiser.post("/testconf/admin/users/", data={"user_id": user_id}, headers=SAME_ORIGIN)
    new_password = reset.text.split('<p class="secret"><code>')[1].split("</code>")[0]
    attendee = app.test_client()
    assert sign_in(attendee, "attendee@example.org").status_code == 422  # the old one is gone
    assert sign_in(attendee, "attendee@example.org", new_password).status_code == 302


def test_another_conferences_people_are_out_of_reach(
    app: Flask, setting: dict[str, Any], dbs: Session, make_conference, make_user, grant_role
) -> None:
    other = make_conference(slug="other", name="Other Conf")
    track = Track(conference_id=other.id, slug="elsewhere", name="Elsewhere")
    dbs.add(track)
    dbs.commit()
    victim = make_user(email="victim@example.org", name="Vic")
    grant_role(victim, other, "host", track)
    organiser = as_user(app, "organiser")
    assert "victim@example.org" not in organiser.get("/testconf/admin/users/?q=victim").text
    refused = organiser.post(
        "/testconf/admin/users/", data={"user_id": str(victim.id)}, headers=SAME_ORIGIN
    )
    assert refused.status_code == 403
    assert sign_in(app.test_client(), "victim@example.org").status_code == 302  # unchanged
    # And nothing of the other conference's can be reached through this one's pages.
    for url in ("/other/admin/", "/other/admin/rooms/", "/other/host/"):
        assert organiser.get(url).status_code == 403, url
    assert organiser.get("/testconf/admin/tracks/elsewhere").status_code == 404


def test_only_organisers_see_the_users_page(app: Flask, setting: dict[str, Any]) -> None:
    assert as_user(app, "host").get("/testconf/admin/users/").status_code == 403
