"""The organiser's pages under /<conf>/admin/: the conference, tracks and their hosts, floors and
rooms, roles, and the audit log. Views parse and render; admin.operations checks and writes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from companion.accounts.models import User
from companion.accounts.operations import reset_password
from companion.accounts.queries import (
    get_role_or_404,
    get_user_or_404,
    is_organiser_anywhere,
    roles_in,
)
from companion.admin import operations, queries
from companion.admin.blueprint import Page, bp, delete, form_page, form_values, organiser
from companion.db import session
from companion.errors import BadRequest, Forbidden
from companion.parsing import small_int
from companion.programme import queries as programme
from companion.programme.models import Conference
from companion.saving import Outcome, attempt

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


@bp.get("/")
@login_required
def index(conf: str) -> str:
    """Everything an organiser runs, one tap away."""
    conference, _ = organiser(conf)
    return render_template("admin/index.html", conf=conference)


@bp.route("/conference", methods=["GET", "POST"])
@login_required
def edit_conference(conf: str) -> Page:
    """Name, venue, dates, time zone and the hour one programme day hands over to the next."""
    conference, me = organiser(conf)
    return form_page(
        "admin/conference.html",
        opened=_conference_form(conference),
        save=lambda: operations.update_conference(conference, form_values(), actor=me),
        done="Saved the conference.",
        to="admin.index",
        context=lambda: {"conf": conference, "zones": COMMON_ZONES},
        thing=conference,
        conf=conf,
    )


@bp.route("/tracks/", methods=["GET", "POST"])
@login_required
def tracks(conf: str) -> Page:
    """Every track with its session count; a form to add one."""
    conference, me = organiser(conf)
    return form_page(
        "admin/tracks.html",
        opened={"colour": "#4b5563"},
        save=lambda: operations.save_track(conference, None, form_values(), actor=me),
        done=f"Added the track {request.form.get('name', '').strip()}.",
        to="admin.tracks",
        context=lambda: {
            "conf": conference,
            "tracks": programme.tracks(conference),
            "counts": queries.session_counts(conference, by="track"),
        },
        conf=conf,
    )


@bp.route("/tracks/<slug>", methods=["GET", "POST"])
@login_required
def edit_track(conf: str, slug: str) -> Page:
    """A track's name, colour and the speakers shown as its hosts; who may edit it."""
    conference, me = organiser(conf)
    track = programme.get_track_or_404(conference, slug)

    def context() -> dict[str, Any]:
        posted = request.method == "POST"
        return {
            "conf": conference,
            "track": track,
            "chosen": request.form.getlist("hosts") if posted else [str(s.id) for s in track.hosts],
            "speakers": programme.speakers(conference),
            "editors": [(r, u) for r, u in roles_in(conference.id) if r.track_id == track.id],
            "sessions": queries.session_counts(conference, by="track").get(track.id, 0),
        }

    return form_page(
        "admin/track.html",
        opened={"name": track.name, "colour": track.colour},
        save=lambda: operations.save_track(conference, track, form_values(), actor=me),
        done=f"Saved the track {request.form.get('name', '').strip()}.",
        to="admin.tracks",
        context=context,
        thing=track,
        conf=conf,
    )


@bp.post("/tracks/<slug>/delete")
@login_required
def delete_track(conf: str, slug: str) -> Page:
    """Remove a track without sessions."""
    conference, me = organiser(conf)
    thing = programme.get_track_or_404(conference, slug)
    return delete(
        f"the track {thing.name}",
        lambda: operations.delete_track(conference, thing, actor=me),
        failed=url_for("admin.edit_track", conf=conf, slug=slug),
        done=url_for("admin.tracks", conf=conf),
    )


@bp.route("/roles/", methods=["GET", "POST"])
@login_required
def roles(conf: str) -> Page:
    """Organisers and track hosts; add one by email (an account is made when there is none)."""
    conference, me = organiser(conf)
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
    outcome = attempt(
        lambda: created.append(operations.add_role(conference, form_values(), actor=me))
    )
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
    conference, me = organiser(conf)
    role = get_role_or_404(conference.id, role_id)
    outcome = attempt(lambda: operations.remove_role(conference, role, actor=me))
    if outcome is not None:
        flash(outcome.errors.get("form", "The role stays."), "danger")
    else:
        flash("Role removed.", "success")
    return redirect(url_for("admin.roles", conf=conf))


@bp.route("/users/", methods=["GET", "POST"])
@login_required
def users(conf: str) -> Page:
    """Find this conference's registered people and reset a forgotten password (there is no
    mail): the new password is shown once, to read out."""
    conference, me = organiser(conf)
    new_password = None
    target = None
    if request.method == "POST":
        user_id = small_int(request.form.get("user_id", ""))
        if user_id is None:
            raise BadRequest("Choose a user.")
        target = get_user_or_404(user_id)
        if not queries.belongs_to(target.id, conference):
            raise Forbidden("You can reset the passwords of this conference's people only.")
        if is_organiser_anywhere(target.id) and target.id != me.id:
            raise Forbidden("Organisers reset their own passwords in their settings.")
        new_password = reset_password(target)
        session.commit()
    text = request.args.get("q", "")
    found = queries.find_users(text, conference=conference) if text.strip() else []
    return render_template(
        "admin/users.html",
        conf=conference,
        users=found,
        q=text,
        new_password=new_password,
        target=target,
    )


@bp.get("/audit/")
@login_required
def audit(conf: str) -> str:
    """Every change, newest first: who, when, what, from what to what."""
    conference, _ = organiser(conf)
    before = request.args.get("before", "")
    entries = queries.audit_log(conference, before_id=small_int(before))
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


# The rooms and floors pages live in their own module, on the same blueprint.
from companion.admin import rooms as _rooms  # noqa: E402, F401
