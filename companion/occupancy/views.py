"""Room full / open: the status every open room and session page reads once (then follows on the
live events stream), and the one-tap writes of track hosts and organisers."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from companion import clock
from companion.accounts.models import User
from companion.occupancy import operations, queries
from companion.programme.queries import get_conference_or_404, get_room_or_404

bp = Blueprint("occupancy", __name__)


def _me() -> User | None:
    return current_user if current_user.is_authenticated else None


@bp.get("/api/v1/conferences/<conf>/rooms/full")
def full_rooms(conf: str) -> Response:
    """`{"rooms": {slug: {"until", "since", "session"}}}`: the rooms full now. Public (a door
    sign), revalidated each time: it depends on the clock, not on the programme revision."""
    conference = get_conference_or_404(conf)
    rooms = queries.full_rooms(conference.id, clock.now())
    etag = hashlib.blake2b(json.dumps(rooms, sort_keys=True).encode(), digest_size=8).hexdigest()
    fresh = request.if_none_match.contains(etag)
    answer = Response(status=304) if fresh else jsonify(rooms=rooms)
    answer.set_etag(etag)
    answer.headers["Cache-Control"] = "no-cache"
    return answer


@bp.put("/api/v1/conferences/<conf>/rooms/<slug>/full")
def mark_full(conf: str, slug: str) -> Response:
    """Mark the room full until its session ends (that session's track hosts, organisers)."""
    conference = get_conference_or_404(conf)
    room = get_room_or_404(conference, slug)
    row = operations.mark_full(_me(), conference, room, now=clock.now())
    return jsonify(room=room.slug, full=True, until=row.until.isoformat())


@bp.delete("/api/v1/conferences/<conf>/rooms/<slug>/full")
def mark_open(conf: str, slug: str) -> Response:
    """The room has seats again (idempotent)."""
    conference = get_conference_or_404(conf)
    room = get_room_or_404(conference, slug)
    operations.mark_open(_me(), conference, room, now=clock.now())
    return jsonify(room=room.slug, full=False, until=None)
