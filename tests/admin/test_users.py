"""The organiser's users page finds this conference's people and nothing more: no organiser can
see or set anyone's password (issue 13, security row 1)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import FeedToken, LoginSession, PasswordToken, User
from companion.agenda.models import Star
from companion.programme.models import Talk, Track
from tests.conftest import SAME_ORIGIN, Mailbox, at, sign_in
from tests.hosting.conftest import as_user

H = SAME_ORIGIN


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


def _host_of_another_conference(dbs: Session, make_conference, make_user, grant_role) -> Any:
    """Vic hosts "Elsewhere" in the conference "other" and has a session there."""
    other = make_conference(slug="other", name="Other Conf")
    track = Track(conference_id=other.id, slug="elsewhere", name="Elsewhere")
    dbs.add(track)
    dbs.commit()
    talk = Talk(
        conference_id=other.id,
        track_id=track.id,
        title="Vic's talk",
        start=at("10:00"),
        end=at("10:50"),
    )
    dbs.add(talk)
    dbs.commit()
    victim = make_user(email="victim@example.org", name="Vic")
    grant_role(victim, other, "host", track)
    return victim, talk


def test_an_organiser_cannot_take_over_a_host_of_another_conference(
    app: Flask,
    setting: dict[str, Any],
    dbs: Session,
    make_conference,
    make_user,
    grant_role,
    mailbox: Mailbox,
) -> None:
    """The exact attack: make the victim a host here, then reset their password here."""
    victim, their_talk = _host_of_another_conference(dbs, make_conference, make_user, grant_role)
    victims_phone = app.test_client()
    assert sign_in(victims_phone, "victim@example.org").status_code == 302
    password_hash = victim.password_hash
    organiser = as_user(app, "organiser")

    added = organiser.post(
        "/testconf/admin/roles/",
        data={"email": "victim@example.org", "kind": "host", "track": setting["streams"].track_id},
        headers=H,
    )
    assert added.status_code == 302  # they get the role here, and nothing else
    assert mailbox.messages == []  # an account with a password is not invited
    reset = organiser.post("/testconf/admin/users/", data={"user_id": str(victim.id)}, headers=H)
    assert reset.status_code == 405  # there is no such thing any more
    found = organiser.get("/testconf/admin/users/?q=victim")
    assert "victim@example.org" in found.text
    assert 'method="post"' not in found.text and "Reset password" not in found.text

    # "Forgot password?" for the victim's email mails the victim, and shows the organiser nothing.
    asked = organiser.post("/password-reset/", data={"email": "victim@example.org"}, headers=H)
    assert asked.status_code == 200
    assert [m["To"] for m in mailbox.messages] == ["victim@example.org"]
    token = mailbox.link().removeprefix("/password-reset/")
    assert token not in asked.text and token not in found.text

    dbs.expire_all()
    assert dbs.get(User, victim.id).password_hash == password_hash
    assert dbs.execute(select(LoginSession).where(LoginSession.user_id == victim.id)).first()
    assert victims_phone.get("/settings/").status_code == 200  # still signed in
    assert (
        organiser.patch(
            f"/api/v1/sessions/{their_talk.guid}",
            json={"title": "Taken over"},
            headers={**H, "If-Match": 'W/"v1"'},
        ).status_code
        == 403
    )


def test_the_users_page_finds_this_conferences_people_only(
    app: Flask, setting: dict[str, Any], dbs: Session, make_conference, make_user, grant_role
) -> None:
    _star(dbs, setting["users"]["attendee"], setting["streams"])
    _host_of_another_conference(dbs, make_conference, make_user, grant_role)
    organiser = as_user(app, "organiser")
    assert "attendee@example.org" in organiser.get("/testconf/admin/users/?q=attendee").text
    assert "victim@example.org" not in organiser.get("/testconf/admin/users/?q=victim").text
    # And nothing of the other conference's can be reached through this one's pages.
    for url in ("/other/admin/", "/other/admin/rooms/", "/other/host/"):
        assert organiser.get(url).status_code == 403, url
    assert organiser.get("/testconf/admin/tracks/elsewhere").status_code == 404


def test_only_organisers_see_the_users_page(app: Flask, setting: dict[str, Any]) -> None:
    assert as_user(app, "host").get("/testconf/admin/users/").status_code == 403


def test_no_password_link_is_made_for_an_account_that_has_a_password(
    app: Flask, setting: dict[str, Any], dbs: Session, mailbox: Mailbox
) -> None:
    organiser = as_user(app, "organiser")
    organiser.post(
        "/testconf/admin/roles/",
        data={"email": "attendee@example.org", "kind": "organiser"},
        headers=H,
    )
    assert dbs.execute(select(PasswordToken)).first() is None
    assert mailbox.messages == []


def test_registering_someone_elses_address_first_gives_no_role(
    app: Flask, setting: dict[str, Any], dbs: Session, mailbox: Mailbox
) -> None:
    """Probe N2: anyone can register any address; an organiser who then gives that address a
    role must not hand it to whoever registered first. The role waits for the owner to use the
    link mailed to the address, which also signs the squatter out."""
    squatter = app.test_client()
    registered = squatter.post(
        "/register",
        data={
            "email": "speaker@example.org",
            "name": "Not the speaker",
            "password": "squatter pass",
            "confirm": "squatter pass",
        },
        headers=H,
    )
    assert registered.status_code == 302
    track = setting["streams"].track
    added = as_user(app, "organiser").post(
        "/testconf/admin/roles/",
        data={"email": "speaker@example.org", "kind": "host", "track": str(track.id)},
        headers=H,
        follow_redirects=True,
    )
    assert "gets the new role once they confirm their address" in added.text
    assert squatter.get("/testconf/host/").status_code == 403
    url = f"/api/v1/sessions/{setting['streams'].guid}"
    etag = squatter.get(url).headers["ETag"]
    patched = squatter.patch(url, json={"title": "x"}, headers={**H, "If-Match": etag})
    assert patched.status_code == 403
    owner = app.test_client()
    link = mailbox.link()
    assert mailbox.messages[-1]["To"] == "speaker@example.org"
    chosen = owner.post(
        link, data={"password": "the real one", "confirm": "the real one"}, headers=H
    )
    assert chosen.status_code == 302
    assert owner.get("/testconf/host/").status_code == 200
    assert squatter.get("/settings/").status_code in (302, 401)  # signed out
    dbs.expire_all()
    user = dbs.execute(select(User).where(User.email == "speaker@example.org")).scalar_one()
    assert user.email_confirmed_at is not None


def test_the_owner_reclaiming_an_address_voids_every_way_in_the_squatter_kept(
    app: Flask, setting: dict[str, Any], dbs: Session, mailbox: Mailbox
) -> None:
    """Probe 2, F1: a device link (and a feed address) the squatter made before the owner set
    the password must not work afterwards; the invitation does not greet them by the squatter's
    name, and the account does not keep it."""
    squatter = app.test_client()
    squatter.post(
        "/register",
        data={
            "email": "speaker@example.org",
            "name": "Squatter",
            "password": "squatter pass",
            "confirm": "squatter pass",
        },
        headers=H,
    )
    page = squatter.post("/testconf/my/link", headers=H).text
    device_link = "/link/" + page.split("/link/")[1].split('"')[0].split("<")[0]
    squatter.post("/settings/calendar-feed", data={"action": "enable"}, headers=H)
    dbs.expire_all()
    feed = dbs.execute(select(FeedToken)).scalar_one().token
    track_id = setting["streams"].track_id
    as_user(app, "organiser").post(
        "/testconf/admin/roles/",
        data={"email": "speaker@example.org", "kind": "host", "track": str(track_id)},
        headers=H,
    )
    assert "Squatter" not in mailbox.body()
    owner = app.test_client()
    owner.post(
        mailbox.link(), data={"password": "the real one", "confirm": "the real one"}, headers=H
    )
    used = app.test_client().post(device_link, headers=H)
    assert used.status_code == 404
    assert app.test_client().get(f"/feeds/{feed}.ics").status_code == 404
    dbs.expire_all()
    user = dbs.execute(select(User).where(User.email == "speaker@example.org")).scalar_one()
    assert user.name == ""
