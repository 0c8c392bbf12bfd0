"""Voting: the API the session page's script uses, a plain form for pages without JavaScript,
and the results page for track hosts and organisers. Votes are never public."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from companion import clock
from companion.accounts.login import me_or_new_guest
from companion.accounts.permissions import Need, conference_for
from companion.errors import BadRequest, CompanionError
from companion.parsing import parse_day
from companion.programme.models import Conference, Talk
from companion.programme.queries import get_conference_or_404, get_talk_by_guid_or_404
from companion.votes import operations, queries
from companion.votes.models import MEANING, Colour
from companion.web import private

bp = Blueprint("votes", __name__)
bp.after_request(private)


def _talk(guid: str) -> tuple[Conference, Talk]:
    talk = get_talk_by_guid_or_404(guid)
    return talk.conference, talk


def _state(conference: Conference, talk: Talk, vote: str | None, comment: str | None) -> Any:
    span = operations.window(conference, talk)
    return {
        "guid": talk.guid,
        "vote": vote,
        "comment": comment,
        "opens": span.opens.isoformat(),
        "closes": span.closes.isoformat(),
    }


@bp.put("/api/v1/me/votes/<guid>")
def api_vote(guid: str) -> tuple[Response, int]:
    """Drop or change my card: `{"vote": "green"|"yellow"|"red", "comment": "…"}`. 201 for a
    first card, 200 for a change (a repeat is a change to the same)."""
    conference, talk = _talk(guid)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest('Send JSON such as {"vote": "green", "comment": "Loved the demo"}.')
    colour = operations.parse_colour(data.get("vote"))
    comment = operations.clean_comment(data.get("comment"))
    operations.check_open(conference, talk, clock.now())  # before a guest is made for nothing
    me = me_or_new_guest()
    created = operations.cast(
        me.id, conference, talk, colour=colour, comment=comment, now=clock.now()
    )
    return jsonify(_state(conference, talk, colour.value, comment)), 201 if created else 200


@bp.delete("/api/v1/me/votes/<guid>")
def api_unvote(guid: str) -> Response:
    """Take my card back (while voting is open; idempotent)."""
    conference, talk = _talk(guid)
    if current_user.is_authenticated:
        operations.withdraw(current_user.id, conference, talk, now=clock.now())
    else:
        operations.check_open(conference, talk, clock.now())
    return jsonify(_state(conference, talk, None, None))


@bp.get("/api/v1/me/votes")
def api_my_votes() -> Response:
    """My cards in a conference: `?conference=<slug>` → `{"votes": {guid: {vote, comment}}}`."""
    slug = request.args.get("conference", "")
    if not slug:
        abort(400, "Name the conference: /api/v1/me/votes?conference=<slug>.")
    conference = get_conference_or_404(slug)
    me = current_user.id if current_user.is_authenticated else None
    return jsonify(votes=queries.my_votes(me, conference.id))


@bp.post("/<conf>/sessions/<guid>/vote")
def vote_form(conf: str, guid: str) -> tuple[str, int]:
    """The same with a plain form (no JavaScript): `vote` is a colour or `withdraw`."""
    conference, talk = _talk(guid)
    if talk.conference_id != get_conference_or_404(conf).id:
        abort(404, "There is no such session in this conference.")
    choice = request.form.get("vote", "")
    try:
        if choice == "withdraw":
            if current_user.is_authenticated:
                operations.withdraw(current_user.id, conference, talk, now=clock.now())
            colour = None
        else:
            colour = operations.parse_colour(choice)
            comment = operations.clean_comment(request.form.get("comment", ""))
            operations.check_open(conference, talk, clock.now())
            me = me_or_new_guest()
            operations.cast(
                me.id, conference, talk, colour=colour, comment=comment, now=clock.now()
            )
    except CompanionError as error:
        page = render_template("votes/voted.html", conf=conference, talk=talk, error=error.message)
        return page, error.status
    span = operations.window(conference, talk)
    page = render_template(
        "votes/voted.html",
        conf=conference,
        talk=talk,
        colour=colour,
        meaning=MEANING,
        closes=span.closes,
    )
    return page, 200


@bp.get("/<conf>/host/votes/")
@login_required
def results(conf: str) -> str:
    """The cards per session, for a track's hosts (their tracks) and organisers (everything)."""
    conference, _, mine = conference_for(conf, Need.EDITOR)
    raw_day = request.args.get("day", "")
    day = parse_day(raw_day) if raw_day else None
    if raw_day and (day is None or day not in conference.days):
        abort(404, "The conference has no such day.")
    rows = queries.results(
        conference, track_ids=None if mine.organiser else mine.hosted_track_ids, day=day
    )
    return render_template(
        "votes/results.html",
        conf=conference,
        rows=rows,
        day=day,
        colours=list(Colour),
        meaning=MEANING,
        organiser=mine.organiser,
    )
