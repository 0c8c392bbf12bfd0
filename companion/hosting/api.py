"""The editing API: `GET`, `PATCH` and `DELETE /api/v1/sessions/<guid>`, versioned with
`If-Match`. (The host's pages, in HTML, are `hosting.pages`.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.api.programme_json import talk_data
from companion.db import session
from companion.errors import BadRequest, Invalid, Unauthorised
from companion.hosting.operations import delete_talk, update_talk
from companion.hosting.talk_changes import TalkChanges
from companion.parsing import local_instant, sane_date
from companion.programme.links import MAX_LINKS, LinkError, LinkInput, link_input
from companion.programme.models import Conference, Room, Speaker, Talk, Track
from companion.programme.queries import get_talk_by_guid_or_404, get_talk_or_404

bp = Blueprint("hosting_api", __name__)

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?v?(\d{1,9})"?\s*$', re.ASCII)


def _etag(talk: Talk) -> str:
    return f'W/"v{talk.version}"'


def _document(talk: Talk) -> Response:
    full = get_talk_or_404(talk.conference, talk.guid)
    response = jsonify(talk_data(talk.conference, full))
    response.headers["ETag"] = _etag(talk)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/api/v1/sessions/<guid>")
def get_session(guid: str) -> Response:
    """One session with its version as ETag (what an editor PATCHes with If-Match)."""
    return _document(get_talk_by_guid_or_404(guid))


@bp.patch("/api/v1/sessions/<guid>")
def patch_session(guid: str) -> Response:
    """Change a session: fields as in the programme JSON (room and track by slug, start and end
    in ISO 8601, local to the conference unless they carry an offset), `confirm: true` to accept
    warnings. 428 without If-Match, 409 when it is stale, 422 when a rule is broken."""
    actor = _editor()
    match = _IF_MATCH.match(request.headers.get("If-Match", ""))
    if match is None:
        return _precondition_required()
    talk = get_talk_by_guid_or_404(guid)
    # Who you are is checked before what you sent: 403 before any 422 (the operation checks again).
    require(actor, talk.conference_id, Need.EDITOR, track_ids={talk.track_id})
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Send the changes as a JSON object.")
    changes = _changes(talk.conference, body)
    update_talk(
        talk,
        changes,
        actor=actor,
        expected_version=int(match.group(1)),
        confirmed=body.get("confirm") is True,
    )
    return _document(talk)


@bp.delete("/api/v1/sessions/<guid>")
def delete_session(guid: str) -> Response:
    """Delete a session made by mistake (If-Match required); a starred one must be cancelled
    instead (422), so that its attendees are told."""
    actor = _editor()
    match = _IF_MATCH.match(request.headers.get("If-Match", ""))
    if match is None:
        return _precondition_required()
    talk = get_talk_by_guid_or_404(guid)
    delete_talk(talk, actor=actor, expected_version=int(match.group(1)))
    return Response(status=204)


def _editor() -> User:
    if not current_user.is_authenticated or current_user.is_guest:
        raise Unauthorised("Sign in with an organiser's or track host's account to edit.")
    user: User = current_user
    return user


def _precondition_required() -> Response:
    response = jsonify(
        error={
            "status": 428,
            "title": "Version required",
            "message": "Send If-Match with the session's ETag, so that an edit "
            "made meanwhile is never overwritten.",
        }
    )
    response.status_code = 428
    return response


#: The fields a PATCH may carry (as in the programme JSON), and `confirm` for warnings.
PATCHABLE = (
    "title",
    "abstract",
    "kind",
    "status",
    "room",
    "track",
    "speakers",
    "start",
    "end",
    "links",
)


def _changes(conference: Conference, body: dict[str, Any]) -> TalkChanges:
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {
        str(name)[:40]: f"Not a field that can be changed here; use {', '.join(PATCHABLE)}."
        for name in body
        if name not in (*PATCHABLE, "confirm")
    }
    for name in ("title", "abstract", "kind", "status"):
        if name in body:
            if not isinstance(body[name], str):
                errors[name] = "Must be text."
            else:
                changes[name] = body[name].strip() if name == "title" else body[name]
    for name, model, key in (("room", Room, "room_id"), ("track", Track, "track_id")):
        if name in body:
            slug = body[name]
            if slug is None:
                changes[key] = None
                continue
            found = (
                session.execute(
                    select(model.id).where(model.conference_id == conference.id, model.slug == slug)
                ).scalar_one_or_none()
                if isinstance(slug, str)
                else None
            )
            if found is None:
                errors[name] = f"There is no {name} “{slug}” in this conference."
            changes[key] = found
    if "speakers" in body:
        changes["speaker_ids"] = _speaker_ids(conference, body["speakers"], errors)
    if "links" in body:
        changes["links"] = _links(body["links"], errors)
    for name in ("start", "end"):
        if name in body:
            try:
                value = datetime.fromisoformat(str(body[name]).replace("Z", "+00:00"))
            except ValueError:
                errors[name] = "Use ISO 8601, e.g. 2020-03-02T14:10 (conference time)."
                continue
            if not sane_date(value.date()):
                errors[name] = "That date is far outside the conference."
                continue
            if value.tzinfo is None:
                instant = local_instant(value.date(), value.time(), conference.zone)
                if instant is None:
                    errors[name] = (
                        f"{value:%H:%M} does not exist on that day in the conference's time "
                        "zone (the clocks go forward)."
                    )
                    continue
                value = instant
            changes[name] = value.astimezone(UTC)
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return TalkChanges(**changes)


def _links(given: Any, errors: dict[str, str]) -> list[LinkInput]:
    """`links`: a list of {"kind", "url", "title"?} that replaces the session's links."""
    if not isinstance(given, list) or len(given) > MAX_LINKS:
        errors["links"] = (
            f"Give the links as a list (at most {MAX_LINKS}) of "
            '{"kind": "slides"|"recording"|"stream"|"other", "url": "https://…", "title": "…"}.'
        )
        return []
    found = []
    for number, item in enumerate(given, start=1):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key, ""), str) for key in ("kind", "url", "title")
        ):
            errors["links"] = f'Link {number}: give "kind", "url" and "title" as text.'
            return []
        try:
            found.append(
                link_input(
                    item.get("kind", ""),
                    item.get("url", ""),
                    item.get("title", ""),
                    owner="session",
                )
            )
        except LinkError as error:
            errors["links"] = f"Link {number}: {error.message}"
            return []
    return found


def _speaker_ids(conference: Conference, slugs: Any, errors: dict[str, str]) -> list[int]:
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        errors["speakers"] = "Give the speakers as a list of their slugs."
        return []
    found = dict(
        session.execute(
            select(Speaker.slug, Speaker.id).where(
                Speaker.conference_id == conference.id, Speaker.slug.in_(slugs)
            )
        ).all()
    )
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        errors["speakers"] = f"No such speaker in this conference: {', '.join(missing)}."
    return list(dict.fromkeys(found[slug] for slug in slugs if slug in found))
