"""GET and HEAD never write: every page that also takes a POST must only show itself to them.

A chat app's link preview or a mail scanner sends HEAD (and GET) to every link it sees; a view
that treated "not GET" as "save" redeemed one-time device links on a HEAD (issue 13, probe N1).
This walks every URL rule of the app that answers GET, fills its arguments from a real
conference, and checks that neither GET nor HEAD, as an organiser, changes a single row."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import DeviceLink, User, new_token, token_hash
from companion.accounts.passwords import PasswordTokenPurpose
from companion.db import Base
from tests.hosting.conftest import as_user

#: The page store: rendered pages, a cache that any GET of a public page may fill (and with it
#: the live "pages" event that says a revision is rendered; "change" events do count).
CACHE_TABLES = {"page_bodies", "page_revisions"}


def _contents(dbs: Session) -> str:
    """A fingerprint of every row of every table (but the page store's cache)."""
    dbs.expire_all()
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        if table.name in CACHE_TABLES:
            continue
        query = select(table).order_by(*table.primary_key.columns)
        if table.name == "live_events":
            query = query.where(table.c.kind != "pages")
        for row in dbs.execute(query).all():
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _values(setting: dict[str, Any], dbs: Session) -> dict[str, str]:
    """A real value for each URL argument name the app uses."""
    from companion.accounts.models import PasswordToken
    from companion.programme.models import Floor, Room, Speaker

    conference = setting["conference"]
    floor = dbs.execute(select(Floor).where(Floor.conference_id == conference.id)).scalar()
    if floor is None:
        floor = Floor(conference_id=conference.id, slug="ground", name="Ground", level=0)
        dbs.add(floor)
        dbs.commit()
    room = dbs.execute(select(Room).where(Room.conference_id == conference.id)).scalars().first()
    speaker = dbs.execute(select(Speaker)).scalars().first()
    owner = dbs.execute(select(User).where(User.email == "organiser@example.org")).scalar_one()
    link, reset = new_token(), new_token()
    later = datetime(2999, 1, 1, tzinfo=UTC)
    dbs.add(DeviceLink(token_hash=token_hash(link), user_id=owner.id, expires_at=later))
    dbs.add(
        PasswordToken(
            token_hash=token_hash(reset),
            user_id=owner.id,
            purpose=PasswordTokenPurpose.RESET.value,
            expires_at=later,
        )
    )
    dbs.commit()
    return {
        "conf": conference.slug,
        "guid": setting["streams"].guid,
        "day": conference.start_date.isoformat(),
        "slug": setting["streams"].track.slug if "streams" in setting else "x",
        "room": room.slug if room else "x",
        "floor": floor.slug,
        "speaker": speaker.slug if speaker else "x",
        "token": link,
        "reset": reset,
        "filename": "css/app.css",
        "talk_id": str(setting["streams"].id),
        "track_id": str(setting["streams"].track_id),
    }


def _url(rule: Any, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        argument = match.group(1)
        if argument == "token" and rule.rule.startswith("/password-reset/"):
            return values["reset"]
        return values.get(argument, "1" if argument.endswith("id") else "x")

    return re.sub(r"<(?:\w+:)?(\w+)>", value, rule.rule)


def test_get_and_head_never_write(app: Flask, setting: dict[str, Any], dbs: Session) -> None:
    values = _values(setting, dbs)
    organiser = as_user(app, "organiser")
    before = _contents(dbs)
    answered = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()):
            continue
        url = _url(rule, values)
        for method in ("HEAD", "GET"):
            response = organiser.open(url, method=method)
            assert response.status_code < 500, (method, url, response.text[:300])
            now = _contents(dbs)
            assert now == before, f"{method} {url} wrote to the database"
            answered.append((method, url, response.status_code))
    redeemable = [a for a in answered if a[1].startswith(("/link/", "/password-reset/"))]
    assert len(redeemable) >= 4  # the one-time links were really tried
    assert all(status == 200 for _, _, status in redeemable), redeemable
