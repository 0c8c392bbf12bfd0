"""My schedule, starring (form and API), and one-time device links (a host's star counts
per session are a host's page: `hosting.pages.interest`)."""

from __future__ import annotations

import segno
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from companion import clock
from companion.accounts import operations as accounts
from companion.accounts.login import me_or_new_guest
from companion.accounts.models import User
from companion.accounts.queries import editing_rights, feed_url, powers
from companion.agenda import operations, schedule
from companion.agenda.queries import starred_guids, stars_in
from companion.programme.marks import marks_for
from companion.programme.models import Talk
from companion.programme.places import room_map
from companion.programme.queries import get_conference_or_404, get_talk_by_guid_or_404
from companion.web import external_url, private, safe_next

bp = Blueprint("agenda", __name__)
bp.after_request(private)
#: Sessions one swap may take off a schedule (a clash is a handful at most).
MAX_SWAPPED = 20


def _me() -> User | None:
    return current_user if current_user.is_authenticated else None


@bp.get("/<conf>/my/")
def my_schedule(conf: str) -> str:
    """Starred sessions by day, clashes with their alternatives, changes, now & next for me."""
    conference = get_conference_or_404(conf)
    me = _me()
    plan = schedule.build(conference, me.id if me else None, now=clock.now())
    where_next = next((t for t in plan.next if t.room and not t.cancelled), None)
    return render_template(
        "agenda/my.html",
        conf=conference,
        me=me,
        plan=plan,
        where_next=where_next,
        where_next_map=room_map(conference, where_next.room) if where_next else None,
        feed_url=feed_url(me.id) if me else None,
        roles=powers(me.id if me else None, conference.id),
        marks=marks_for(conference, [e.talk for day in plan.days for e in day.entries]),
    )


@bp.post("/<conf>/my/seen")
def acknowledge(conf: str) -> BaseResponse:
    """ "Got it": stop flagging the changes the user has now seen."""
    conference = get_conference_or_404(conf)
    me = _me()
    if me is not None:
        operations.acknowledge_changes(me.id, stars_in(me.id, conference))
    return redirect(url_for("agenda.my_schedule", conf=conf))


@bp.post("/<conf>/sessions/<guid>/star")
def star_form(conf: str, guid: str) -> BaseResponse:
    """Star or unstar with a plain form (no JavaScript); then back where the person was."""
    conference = get_conference_or_404(conf)
    talk = _talk_in(conference.id, guid)
    action = request.form.get("action", "star")
    if action not in ("star", "unstar"):
        abort(400, "Choose to star or unstar.")
    if action == "star":
        operations.star(me_or_new_guest().id, talk)
    elif (me := _me()) is not None:
        operations.unstar(me.id, talk)
    default = url_for("programme.session_page", conf=conf, guid=guid)
    return redirect(safe_next(request.form.get("next"), default))


@bp.post("/<conf>/my/swap")
def swap(conf: str) -> BaseResponse:
    """One tap on a clash: keep a session and drop those it overlaps, or swap one for another
    session of the same slot. Back to My schedule."""
    conference = get_conference_or_404(conf)
    drop = request.form.getlist("drop")
    if not drop or len(drop) > MAX_SWAPPED:
        abort(400, "Choose the sessions to take off your schedule.")
    keep = request.form.get("keep")
    talks = [_talk_in(conference.id, guid) for guid in [*drop, *([keep] if keep else [])]]
    me = _me()
    if me is not None:  # nobody signed in and no guest: there is no schedule to change
        operations.swap(me.id, keep=talks[-1] if keep else None, drop=talks[: len(drop)])
    return redirect(url_for("agenda.my_schedule", conf=conf))


def _talk_in(conference_id: int, guid: str) -> Talk:
    talk = get_talk_by_guid_or_404(guid)
    if talk.conference_id != conference_id:
        abort(404, "There is no such session in this conference.")
    return talk


@bp.post("/<conf>/my/link")
def create_device_link(conf: str) -> str:
    """A one-time link and QR code that open this schedule on another device."""
    conference = get_conference_or_404(conf)
    me = me_or_new_guest()
    token = accounts.create_device_link(me, now=clock.now())
    link = external_url("accounts.device_link", token=token)
    qr = segno.make(link, error="m")
    svg = qr.svg_inline(scale=5, dark="#14181f", light="#ffffff", omitsize=False)
    return render_template(
        "agenda/device_link.html",
        conf=conference,
        link=link,
        qr=Markup(svg),
        minutes=int(accounts.DEVICE_LINK_TTL.seconds / 60),
    )


# --- JSON API ------------------------------------------------------------------------------------


@bp.get("/api/v1/me")
def api_me() -> Response:
    """Who is signed in on this device, a CSRF token for scripts, the starred guids, and what
    they may edit (by conference: `organiser`, hosted `tracks`)."""
    me = _me()
    return jsonify(
        user=None
        if me is None
        else {"kind": "guest" if me.is_guest else "registered", "name": me.display_name},
        csrf_token=generate_csrf(),
        stars=starred_guids(me.id) if me else [],
        edits=editing_rights(me.id) if me and not me.is_guest else {},
    )


@bp.put("/api/v1/me/stars/<guid>")
def api_star(guid: str) -> tuple[Response, int]:
    """Star a session (idempotent: a repeat changes nothing and still succeeds)."""
    talk = get_talk_by_guid_or_404(guid)
    created = operations.star(me_or_new_guest().id, talk)
    return jsonify(guid=guid, starred=True), 201 if created else 200


@bp.delete("/api/v1/me/stars/<guid>")
def api_unstar(guid: str) -> tuple[Response, int]:
    """Unstar a session (idempotent)."""
    talk = get_talk_by_guid_or_404(guid)
    me = _me()
    if me is not None:
        operations.unstar(me.id, talk)
    return jsonify(guid=guid, starred=False), 200


@bp.get("/api/v1/me/agenda")
def api_agenda() -> Response:
    """My schedule as JSON: `?conference=<slug>`."""
    slug = request.args.get("conference", "")
    if not slug:
        abort(400, "Name the conference: /api/v1/me/agenda?conference=<slug>.")
    conference = get_conference_or_404(slug)
    me = _me()
    plan = schedule.build(conference, me.id if me else None, now=clock.now())
    return jsonify(schedule.as_json(plan))
