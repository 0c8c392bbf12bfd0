"""Public programme pages. Thin: parse the URL, call queries, render through the page cache.

Every cached page first reads only the conference's revision (a stamp): a client that is up to
date gets its 304 from that alone, and a page cached in this process is served without rendering.
Loading (and 404 checks of sessions, tracks, speakers, rooms) happens inside the render step, which
is only reached when the page is not cached for this revision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from companion import clock
from companion.caching import conference_response
from companion.errors import BadRequest, NotFound
from companion.programme import grid, marks, places, queries, timeline
from companion.programme.models import Conference, TalkKind
from companion.programme.queries import ConferenceStamp

bp = Blueprint("programme", __name__)


def _cached_page(
    stamp: ConferenceStamp,
    key: tuple[object, ...],
    render: Callable[[Conference], str],
    **options: Any,
) -> Response:
    """A public page of the conference (`caching.conference_response`), rendered from it."""
    return conference_response(
        stamp, key, lambda: render(queries.get_conference(stamp.id)), **options
    )


@bp.get("/")
def index() -> BaseResponse | str:
    """Open the current conference, or say there is none yet."""
    conference = queries.current_conference(clock.now(), current_app.config["DEFAULT_CONFERENCE"])
    if conference is None:
        return render_template("programme/empty.html")
    return redirect(url_for("programme.home", conf=conference.slug))


@bp.get("/<conf>/")
def home(conf: str) -> Response:
    """The way into everything; now & next, the day's status and keynotes are set by now.js."""

    def render(conference: Conference) -> str:
        return render_template(
            "programme/home.html",
            conf=conference,
            keynotes=timeline.by_day(conference, queries.keynotes(conference)),
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("home",), render)


@bp.get("/<conf>/programme/")
def programme(conf: str) -> Response:
    """The first day's programme; during the conference now.js opens today's day instead."""
    conference = queries.get_conference_or_404(conf)
    return _day_page(queries.get_conference_stamp_or_404(conf), conference.start_date)


@bp.get("/<conf>/programme/<day>/")
def programme_day(conf: str, day: str) -> Response:
    """One day's sessions by time slot, filterable by track and kind."""
    stamp = queries.get_conference_stamp_or_404(conf)
    try:
        if not _ISO_DAY.fullmatch(day):
            raise ValueError(day)
        parsed = date.fromisoformat(day)
    except ValueError:
        raise BadRequest(f"“{day[:40]}” is not a date: days look like 2020-03-02.") from None
    return _day_page(stamp, parsed)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_page(stamp: ConferenceStamp, day: date) -> Response:
    track_filter = request.args.get("track", "").strip()
    kind_filter = request.args.get("kind", "").strip()
    if kind_filter and kind_filter not in TalkKind.__members__.values():
        raise BadRequest(f"“{kind_filter[:40]}” is not a kind of session.")

    def render(conference: Conference) -> str:
        if day not in conference.days:
            raise NotFound(f"{conference.name} has no programme on {day.isoformat()}.")
        talks = queries.day_talks(conference, day)
        all_tracks = queries.tracks(conference)
        if track_filter and track_filter not in {t.slug for t in all_tracks}:
            raise BadRequest(f"There is no track called “{track_filter[:60]}”.")
        day_track_ids = {t.track_id for t in talks}
        return render_template(
            "programme/day.html",
            conf=conference,
            day=day,
            grid=grid.day_grid(conference, talks),
            zone_at=conference.day_bounds(day)[0],
            tracks=[t for t in all_tracks if t.id in day_track_ids],
            kinds=queries.kinds_in_use(talks),
            track_filter=track_filter,
            kind_filter=kind_filter,
            marks=marks.marks_for(conference, talks),
        )

    return _cached_page(stamp, ("day", day, track_filter, kind_filter), render)


@bp.get("/<conf>/now")
def jump_to_now(conf: str) -> BaseResponse:
    """Today's day page at the current slot (#t-1030), without JS; the first day before the
    conference. Not cached: the answer is a function of the clock, unlike the pages."""
    conference = queries.get_conference_or_404(conf)
    at = clock.now()
    day = timeline.display_day(conference, at)
    fragment = None
    if timeline.conference_phase(conference, at) == "during":
        row = grid.current_row(grid.day_grid(conference, queries.day_talks(conference, day)), at)
        fragment = row.id if row else None
    target = url_for("programme.programme_day", conf=conference.slug, day=day.isoformat())
    response = redirect(target + (f"#{fragment}" if fragment else ""), code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<conf>/sessions/<guid>/")
def session_page(conf: str, guid: str) -> Response:
    """One session: when, where, who, and what it is about."""

    def render(conference: Conference) -> str:
        talk = queries.get_talk_or_404(conference, guid)
        return render_template(
            "programme/session.html",
            conf=conference,
            talk=talk,
            zone_at=talk.start,
            room_map=places.room_map(conference, talk.room),
            marks=marks.marks_for(conference, [talk]),
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("session", guid), render)


@bp.get("/<conf>/tracks/")
def tracks(conf: str) -> Response:
    """Every track, when and where it runs, and who hosts it."""

    def render(conference: Conference) -> str:
        return render_template(
            "programme/tracks.html", conf=conference, summaries=queries.track_summaries(conference)
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("tracks",), render)


@bp.get("/<conf>/tracks/<slug>/")
def track(conf: str, slug: str) -> Response:
    """A track: its host's introduction, then its sessions."""

    def render(conference: Conference) -> str:
        found = queries.get_track_or_404(conference, slug)
        talks = queries.track_talks(found)
        return render_template(
            "programme/track.html",
            conf=conference,
            track=found,
            talks=talks,
            marks=marks.marks_for(conference, talks),
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("track", slug), render)


@bp.get("/<conf>/speakers/")
def speakers(conf: str) -> Response:
    """Everyone on the programme, A to Z."""

    def render(conference: Conference) -> str:
        return render_template(
            "programme/speakers.html", conf=conference, speakers=queries.speakers(conference)
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("speakers",), render)


@bp.get("/<conf>/speakers/<slug>/")
def speaker(conf: str, slug: str) -> Response:
    """A speaker: bio, sessions, and the tracks they host."""

    def render(conference: Conference) -> str:
        person = queries.get_speaker_or_404(conference, slug)
        return render_template(
            "programme/speaker.html",
            conf=conference,
            speaker=person,
            marks=marks.marks_for(conference, person.talks),
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("speaker", slug), render)


@bp.get("/<conf>/rooms/")
def rooms(conf: str) -> Response:
    """Every room by floor."""

    def render(conference: Conference) -> str:
        return render_template(
            "programme/rooms.html", conf=conference, rooms=queries.rooms(conference)
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("rooms",), render)


@bp.get("/<conf>/rooms/<slug>/")
def room(conf: str, slug: str) -> Response:
    """A room: its sessions day by day; now.js shows what is on now and next there."""

    def render(conference: Conference) -> str:
        place = queries.get_room_or_404(conference, slug)
        talks = queries.room_talks(place)
        return render_template(
            "programme/room.html",
            conf=conference,
            room=place,
            room_map=places.room_map(conference, place),
            days=timeline.by_day(conference, talks),
            marks=marks.marks_for(conference, talks),
        )

    return _cached_page(queries.get_conference_stamp_or_404(conf), ("room", slug), render)
