"""The host's and organiser's pages (under /<conf>/host/): my tracks, and the session form."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.models import User
from companion.accounts.queries import powers
from companion.db import session
from companion.errors import Conflict, Forbidden, Invalid
from companion.hosting.operations import check_may_edit, update_talk
from companion.programme import queries as programme
from companion.programme.models import Conference, Room, Talk, TalkKind, Track
from companion.web import private

bp = Blueprint("host", __name__, url_prefix="/<conf>/host")
bp.after_request(private)

Page = BaseResponse | str | tuple[str, int]


def _conference_and_powers(conf: str) -> tuple[Conference, Any]:
    conference = programme.get_conference_or_404(conf)
    mine = powers(current_user.id, conference.id)
    if not mine.any:
        abort(403, "Only organisers and track hosts of this conference can edit it.")
    return conference, mine


@bp.get("/")
@login_required
def my_tracks(conf: str) -> str:
    """The tracks this person may edit (all of them for organisers), with their sessions."""
    conference, mine = _conference_and_powers(conf)
    tracks = [
        t for t in programme.tracks(conference) if mine.organiser or t.id in mine.hosted_track_ids
    ]
    talks = programme.talks_of_tracks([t.id for t in tracks])
    return render_template(
        "hosting/my_tracks.html",
        conf=conference,
        tracks=tracks,
        talks=talks,
        organiser=mine.organiser,
    )


@bp.route("/sessions/<guid>/", methods=["GET", "POST"])
@login_required
def edit_session(conf: str, guid: str) -> Page:
    """Edit one session; a stale form answers 409 and keeps what the person typed."""
    conference, _ = _conference_and_powers(conf)
    talk = programme.get_talk_or_404(conference, guid)
    me: User = current_user
    try:
        check_may_edit(me, talk, new_track_id=talk.track_id)
    except Forbidden as error:
        abort(403, error.message)
    errors: dict[str, str] = {}
    warnings: list[str] = []
    current: dict[str, Any] | None = None
    status = 200
    form = request.form if request.method == "POST" else _form_of(talk, conference)
    if request.method == "POST":
        try:
            changes = _parse(conference, request.form)
            update_talk(
                talk,
                changes,
                actor=me,
                expected_version=_int(request.form, "version"),
                confirmed=bool(request.form.get("confirm")),
            )
            session.commit()
        except Invalid as error:
            session.rollback()
            errors = error.details.get("fields", {})
            warnings = error.details.get("warnings", [])
            status = 422
        except (Conflict, StaleDataError) as error:
            session.rollback()
            talk = programme.get_talk_or_404(conference, guid)
            current = _form_of(talk, conference)
            status = 409
            errors["form"] = (
                error.message
                if isinstance(error, Conflict)
                else "Someone else saved this session at the same moment."
            )
        else:
            flash(f"Saved “{talk.title}”.", "success")
            return redirect(url_for("host.my_tracks", conf=conf))
    return render_template(
        "hosting/edit_session.html",
        conf=conference,
        talk=talk,
        form=form,
        errors=errors,
        warnings=warnings,
        current=current,
        rooms=programme.rooms(conference),
        tracks=programme.tracks(conference),
        kinds=[k.value for k in TalkKind],
    ), status


def _int(form: Any, name: str) -> int:
    value = form.get(name, "")
    if not value.isdigit():
        raise Invalid("The form is incomplete.", details={"fields": {name: "Reload the form."}})
    return int(value)


def _form_of(talk: Talk, conference: Conference) -> dict[str, Any]:
    start, end = conference.local(talk.start), conference.local(talk.end)
    return {
        "title": talk.title,
        "abstract": talk.abstract,
        "kind": talk.kind,
        "track": str(talk.track_id or ""),
        "room": str(talk.room_id or ""),
        "day": start.date().isoformat(),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "status": talk.status,
        "version": str(talk.version),
    }


def _parse(conference: Conference, form: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "abstract": form.get("abstract", ""),
        "kind": form.get("kind", ""),
        "status": form.get("status", ""),
    }
    for name, model, key in (("room", Room, "room_id"), ("track", Track, "track_id")):
        raw = form.get(name, "")
        if not raw:
            changes[key] = None
        elif (
            raw.isdigit()
            and session.execute(
                select(model.id).where(model.id == int(raw), model.conference_id == conference.id)
            ).first()
        ):
            changes[key] = int(raw)
        else:
            errors[key] = f"Choose a {name} of this conference."
    try:
        day = datetime.strptime(form.get("day", ""), "%Y-%m-%d").date()
        start = time.fromisoformat(form.get("start", ""))
        end = time.fromisoformat(form.get("end", ""))
    except ValueError:
        errors["start"] = "Enter the day as YYYY-MM-DD and times as HH:MM."
    else:
        local_start = datetime.combine(day, start, tzinfo=conference.zone)
        local_end = datetime.combine(day, end, tzinfo=conference.zone)
        changes["start"], changes["end"] = local_start, local_end
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return changes
