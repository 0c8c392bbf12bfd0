"""A small conference with an organiser, a host of "Streaming", a host of "APIs" and an attendee,
shared by the editing tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import User
from companion.programme.models import Speaker, Track
from tests.conftest import SAME_ORIGIN, sign_in

#: Everyone the role tests sign in as ("guest" stars something and never registers).
PEOPLE = ("organiser", "host", "other-host", "attendee")


@pytest.fixture
def setting(
    app: Flask, make_conference, make_talk, make_user, grant_role, dbs: Session
) -> dict[str, Any]:
    """Streams (Fleming, Streaming, Ada) and APIs (Whittle, APIs, Grace) at 10:00, and Ada again
    in Fleming at 11:00."""
    conference = make_conference()
    streams = make_talk(
        conference,
        "Streams",
        start="10:00",
        end="10:50",
        room="Fleming",
        track="Streaming",
        speakers=("Ada",),
    )
    apis = make_talk(
        conference,
        "APIs",
        start="10:00",
        end="10:50",
        room="Whittle",
        track="APIs",
        speakers=("Grace",),
    )
    later = make_talk(
        conference,
        "Later in Fleming",
        start="11:00",
        end="11:50",
        room="Fleming",
        track="Streaming",
        speakers=("Ada",),
    )
    tracks = {t.slug: t for t in dbs.execute(select(Track)).scalars()}
    speakers = {s.slug: s for s in dbs.execute(select(Speaker)).scalars()}
    for name in PEOPLE:
        make_user(email=f"{name}@example.org")
    users = {u.email.split("@")[0]: u for u in dbs.execute(select(User)).scalars() if u.email}
    grant_role(users["organiser"], conference, "organiser")
    grant_role(users["host"], conference, "host", tracks["streaming"])
    grant_role(users["other-host"], conference, "host", tracks["apis"])
    return {
        "conference": conference,
        "streams": streams,
        "apis": apis,
        "later": later,
        "tracks": tracks,
        "speakers": speakers,
        "users": users,
    }


def as_user(app: Flask, who: str | None) -> FlaskClient:
    """A client signed in as one of PEOPLE, a guest ("guest:<guid>" stars that session first),
    or nobody (None)."""
    client = app.test_client()
    if who and who.startswith("guest:"):
        star = client.put(f"/api/v1/me/stars/{who.split(':', 1)[1]}", headers=SAME_ORIGIN)
        assert star.status_code == 201
    elif who:
        assert sign_in(client, email=f"{who}@example.org").status_code == 302
    return client
