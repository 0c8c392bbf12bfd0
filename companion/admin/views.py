"""The organiser's pages under /<conf>/admin/: the conference, tracks and their hosts, floors and
rooms, roles, and the audit log. Views parse and render; admin.operations checks and writes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from companion import clock
from companion.accounts.mails import invitation_mail
from companion.accounts.queries import get_role_or_404, roles_in
from companion.admin import forms, operations, queries
from companion.admin.blueprint import Page, bp, delete, form_page, form_values, organiser
from companion.admin.operations import AddedRole
from companion.db import after_commit
from companion.mail import MailNotSent, send
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
        save=lambda: operations.update_conference(
            conference, forms.conference_input(form_values()), actor=me
        ),
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
        save=lambda: operations.save_track(
            conference, None, forms.track_input(conference, form_values()), actor=me
        ),
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
        save=lambda: operations.save_track(
            conference, track, forms.track_input(conference, form_values()), actor=me
        ),
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
    """Organisers and track hosts; add one by email. Someone without an account gets one without
    a password, and an invitation by mail to choose their own (sent after the commit)."""
    conference, me = organiser(conf)
    added: list[AddedRole] = []

    def page(outcome: Outcome | None = None) -> tuple[str, int]:
        return render_template(
            "admin/roles.html",
            conf=conference,
            roles=roles_in(conference.id),
            tracks=programme.tracks(conference),
            form=request.form if outcome else {"kind": "host"},
            errors=outcome.errors if outcome else {},
        ), outcome.status if outcome else 200

    if request.method != "POST":  # GET and HEAD only show the page
        return page()
    outcome = attempt(
        lambda: added.append(
            operations.add_role(
                conference,
                forms.role_input(conference, form_values()),
                actor=me,
                now=clock.now(),
            )
        )
    )
    if outcome is not None:
        return page(outcome)
    after_commit(lambda: _tell_about(added[0], conference))  # the link must work on arrival
    return redirect(url_for("admin.roles", conf=conf))


def _tell_about(added: AddedRole, conference: Conference) -> None:
    """Mail the invitation, if one is due, and say what happened (once the role is committed)."""
    email = added.user.email
    if added.throttled:
        flash(
            f"{email} has the new role. Their invitation was mailed to them recently; "
            "no new one was sent.",
            "info",
        )
    elif added.invitation is None:
        flash(f"{email} has the new role.", "success")
    else:
        try:
            send(
                invitation_mail(
                    added.user, added.invitation, conference=conference.name, role=added.role
                )
            )
        except MailNotSent:
            flash(
                f"{email} has the new role, but the invitation mail could not be sent just now. "
                "Add them again in a few minutes to resend it.",
                "danger",
            )
        else:
            if added.user.has_password:
                message = (
                    f"{email} gets the new role once they confirm their address (anyone can "
                    "register any address): a link is on its way to it."
                )
            else:
                message = (
                    f"{email} has the new role. An invitation to choose their password is on "
                    "its way to them."
                )
            flash(message, "success")


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


@bp.get("/users/")
@login_required
def users(conf: str) -> str:
    """Find this conference's registered people. Nobody here can see or set a password: people
    reset their own with "Forgot password?"."""
    conference, _ = organiser(conf)
    text = request.args.get("q", "")
    found = queries.find_users(text, conference=conference) if text.strip() else []
    return render_template("admin/users.html", conf=conference, users=found, q=text)


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
