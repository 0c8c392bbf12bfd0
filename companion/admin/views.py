"""The organiser's pages under /<conf>/admin/: the conference, tracks and their hosts, floors and
rooms, roles, and the audit log. Views parse and render; admin.operations checks and writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.models import User
from companion.accounts.queries import get_role_or_404, roles_in
from companion.admin import operations, queries
from companion.programme import queries as programme
from companion.programme.models import Conference
from companion.saving import Outcome, attempt
from companion.web import private

bp = Blueprint("admin", __name__, url_prefix="/<conf>/admin")
bp.after_request(private)

Page = BaseResponse | str | tuple[str, int]

#: Common zones first in the time zone list; every IANA name is accepted.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "UTC",
)


def _organiser(conf: str) -> tuple[Conference, User]:
    conference = programme.get_conference_or_404(conf)
    operations.require_organiser(current_user, conference)
    return conference, current_user


def _form() -> dict[str, Any]:
    """The posted form, with multi-valued fields as lists."""
    return {
        key: values if len(values) > 1 or key == "hosts" else values[0]
        for key, values in request.form.lists()
    }


def _post(
    save: Callable[[], object], done: str, to: str, page: Callable[[Outcome], Page], **args: Any
) -> Page:
    outcome = attempt(save)
    if outcome is None:
        flash(done, "success")
        return redirect(url_for(to, **args))
    return page(outcome)


def _delete(what: str, remove: Callable[[], object], *, failed: str, done: str) -> Page:
    """Run a delete; on refusal go back to the thing's page with the reason, else to the list."""
    outcome = attempt(remove)
    if outcome is not None:
        flash(outcome.errors.get("form", f"{what.capitalize()} was not deleted."), "danger")
        return redirect(failed)
    flash(f"Deleted {what}.", "success")
    return redirect(done)


@bp.get("/")
@login_required
def index(conf: str) -> str:
    """Everything an organiser runs, one tap away."""
    conference, _ = _organiser(conf)
    return render_template("admin/index.html", conf=conference)


@bp.route("/conference", methods=["GET", "POST"])
@login_required
def edit_conference(conf: str) -> Page:
    """Name, venue, dates, time zone and the hour one programme day hands over to the next."""
    conference, me = _organiser(conf)

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        values = request.form if outcome else _conference_form(conference)
        return render_template(
            "admin/conference.html",
            conf=conference,
            form=values,
            zones=COMMON_ZONES,
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    return _post(
        lambda: operations.update_conference(conference, _form(), actor=me),
        "Saved the conference.",
        "admin.index",
        page,
        conf=conf,
    )


@bp.route("/tracks/", methods=["GET", "POST"])
@login_required
def tracks(conf: str) -> Page:
    """Every track with its session count; a form to add one."""
    conference, me = _organiser(conf)

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        return render_template(
            "admin/tracks.html",
            conf=conference,
            tracks=programme.tracks(conference),
            counts=queries.session_counts(conference)["track"],
            form=request.form if outcome else {"colour": "#4b5563"},
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    return _post(
        lambda: operations.save_track(conference, None, _form(), actor=me),
        f"Added the track {request.form.get('name', '').strip()}.",
        "admin.tracks",
        page,
        conf=conf,
    )


@bp.route("/tracks/<slug>", methods=["GET", "POST"])
@login_required
def edit_track(conf: str, slug: str) -> Page:
    """A track's name, colour and the speakers shown as its hosts; who may edit it."""
    conference, me = _organiser(conf)
    track = programme.get_track_or_404(conference, slug)

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        chosen = request.form.getlist("hosts") if outcome else [str(s.id) for s in track.hosts]
        return render_template(
            "admin/track.html",
            conf=conference,
            track=track,
            form=request.form if outcome else {"name": track.name, "colour": track.colour},
            chosen=chosen,
            speakers=programme.speakers(conference),
            editors=[(r, u) for r, u in roles_in(conference.id) if r.track_id == track.id],
            sessions=queries.session_counts(conference)["track"].get(track.id, 0),
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    return _post(
        lambda: operations.save_track(conference, track, _form(), actor=me),
        f"Saved the track {request.form.get('name', '').strip()}.",
        "admin.tracks",
        page,
        conf=conf,
    )


@bp.post("/tracks/<slug>/delete")
@login_required
def delete_track(conf: str, slug: str) -> Page:
    """Remove a track without sessions."""
    conference, me = _organiser(conf)
    thing = queries.get_track_or_404(conference, slug)
    return _delete(
        f"the track {thing.name}",
        lambda: operations.delete_track(conference, thing, actor=me),
        failed=url_for("admin.edit_track", conf=conf, slug=slug),
        done=url_for("admin.tracks", conf=conf),
    )


def _venue_page(
    conference: Conference, outcome: Outcome | None = None, *, which: str = ""
) -> tuple[str, int]:
    return render_template(
        "admin/rooms.html",
        conf=conference,
        floors=queries.floors(conference),
        rooms=programme.rooms(conference),
        counts=queries.session_counts(conference)["room"],
        which=which,
        form=request.form if outcome else {},
        errors=outcome.errors if outcome else {},
    ), outcome.status if outcome else 200


@bp.get("/rooms/")
@login_required
def rooms(conf: str) -> Page:
    """Floors and rooms, with forms to add them."""
    conference, _ = _organiser(conf)
    return _venue_page(conference)


@bp.post("/rooms/")
@login_required
def add_room(conf: str) -> Page:
    """Add a room."""
    conference, me = _organiser(conf)
    return _post(
        lambda: operations.save_room(conference, None, _form(), actor=me),
        f"Added the room {request.form.get('name', '').strip()}.",
        "admin.rooms",
        lambda outcome: _venue_page(conference, outcome, which="room"),
        conf=conf,
    )


@bp.post("/floors/")
@login_required
def add_floor(conf: str) -> Page:
    """Add a floor."""
    conference, me = _organiser(conf)
    return _post(
        lambda: operations.save_floor(conference, None, _form(), actor=me),
        f"Added the floor {request.form.get('name', '').strip()}.",
        "admin.rooms",
        lambda outcome: _venue_page(conference, outcome, which="floor"),
        conf=conf,
    )


@bp.route("/rooms/<slug>", methods=["GET", "POST"])
@login_required
def edit_room(conf: str, slug: str) -> Page:
    """A room's name, floor, capacity and how to find it."""
    conference, me = _organiser(conf)
    room = queries.get_room_or_404(conference, slug)

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        values = (
            request.form
            if outcome
            else {
                "name": room.name,
                "floor": str(room.floor_id or ""),
                "capacity": "" if room.capacity is None else str(room.capacity),
                "description": room.description,
            }
        )
        return render_template(
            "admin/room.html",
            conf=conference,
            room=room,
            floors=queries.floors(conference),
            sessions=queries.session_counts(conference)["room"].get(room.id, 0),
            form=values,
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    return _post(
        lambda: operations.save_room(conference, room, _form(), actor=me),
        f"Saved the room {request.form.get('name', '').strip()}.",
        "admin.rooms",
        page,
        conf=conf,
    )


@bp.post("/rooms/<slug>/delete")
@login_required
def delete_room(conf: str, slug: str) -> Page:
    """Remove a room no session uses."""
    conference, me = _organiser(conf)
    thing = queries.get_room_or_404(conference, slug)
    return _delete(
        f"the room {thing.name}",
        lambda: operations.delete_room(conference, thing, actor=me),
        failed=url_for("admin.edit_room", conf=conf, slug=slug),
        done=url_for("admin.rooms", conf=conf),
    )


@bp.route("/floors/<slug>", methods=["GET", "POST"])
@login_required
def edit_floor(conf: str, slug: str) -> Page:
    """A floor's name and level."""
    conference, me = _organiser(conf)
    floor = queries.get_floor_or_404(conference, slug)

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        values = request.form if outcome else {"name": floor.name, "level": str(floor.level)}
        return render_template(
            "admin/floor.html",
            conf=conference,
            floor=floor,
            form=values,
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    return _post(
        lambda: operations.save_floor(conference, floor, _form(), actor=me),
        f"Saved the floor {request.form.get('name', '').strip()}.",
        "admin.rooms",
        page,
        conf=conf,
    )


@bp.post("/floors/<slug>/delete")
@login_required
def delete_floor(conf: str, slug: str) -> Page:
    """Remove a floor with no rooms."""
    conference, me = _organiser(conf)
    thing = queries.get_floor_or_404(conference, slug)
    return _delete(
        f"the floor {thing.name}",
        lambda: operations.delete_floor(conference, thing, actor=me),
        failed=url_for("admin.edit_floor", conf=conf, slug=slug),
        done=url_for("admin.rooms", conf=conf),
    )


@bp.route("/roles/", methods=["GET", "POST"])
@login_required
def roles(conf: str) -> Page:
    """Organisers and track hosts; add one by email (an account is made when there is none)."""
    conference, me = _organiser(conf)
    created: list[tuple[User, str | None]] = []

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        return render_template(
            "admin/roles.html",
            conf=conference,
            roles=roles_in(conference.id),
            tracks=programme.tracks(conference),
            form=request.form if outcome else {"kind": "host"},
            errors=outcome.errors if outcome else {},
            created=created[0] if created and created[0][1] else None,
        ), outcome.status if outcome else 200

    if request.method == "GET":
        return page()
    outcome = attempt(lambda: created.append(operations.add_role(conference, _form(), actor=me)))
    if outcome is not None:
        return page(outcome)
    if created[0][1] is None:  # an existing account: nothing to hand over
        flash(f"{created[0][0].email} has the new role.", "success")
        return redirect(url_for("admin.roles", conf=conf))
    return page()  # shows the new account's password once, and is never cached (private)


@bp.post("/roles/<int:role_id>/delete")
@login_required
def remove_role(conf: str, role_id: int) -> Page:
    """Take a role away."""
    conference, me = _organiser(conf)
    role = get_role_or_404(conference.id, role_id)
    outcome = attempt(lambda: operations.remove_role(conference, role, actor=me))
    if outcome is not None:
        flash(outcome.errors.get("form", "The role stays."), "danger")
    else:
        flash("Role removed.", "success")
    return redirect(url_for("admin.roles", conf=conf))


@bp.get("/audit/")
@login_required
def audit(conf: str) -> str:
    """Every change, newest first: who, when, what, from what to what."""
    conference, _ = _organiser(conf)
    before = request.args.get("before", "")
    entries = queries.audit_log(conference, before_id=int(before) if before.isdigit() else None)
    return render_template("admin/audit.html", conf=conference, entries=entries)


def _conference_form(conference: Conference) -> dict[str, str]:
    return {
        "name": conference.name,
        "venue": conference.venue,
        "address": conference.address,
        "url": conference.url,
        "timezone": conference.timezone,
        "start_date": conference.start_date.isoformat(),
        "end_date": conference.end_date.isoformat(),
        "day_change_hour": str(conference.day_change_hour),
    }
