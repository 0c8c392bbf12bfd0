"""Public programme pages. Thin: parse the URL, call one query, render through the page cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from companion import clock
from companion.errors import BadRequest, NotFound
from companion.programme import queries, search, timeline
from companion.programme.models import Conference, TalkKind
from companion.web import cached_response, make_etag

bp = Blueprint("programme", __name__)


@bp.get("/")
def index() -> BaseResponse | str:
    """Open the current conference, or say there is none yet."""
    conference = queries.current_conference(clock.now(), current_app.config["DEFAULT_CONFERENCE"])
    if conference is None:
        return render_template("programme/empty.html")
    return redirect(url_for("programme.home", conf=conference.slug))


@bp.get("/<conf>/")
def home(conf: str) -> Response:
    """What is on now and next, today's keynotes, and the way into everything else."""
    conference = queries.get_conference_or_404(conf)
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)

    def render() -> str:
        day = timeline.display_day(conference, now)
        talks = queries.day_talks(conference, day)
        at_a_glance = timeline.now_and_next(talks, now)
        if not at_a_glance.next and day < conference.end_date:
            tomorrow = queries.day_talks(conference, day + timedelta(days=1))
            at_a_glance.next = timeline.now_and_next(tomorrow, now).next
        keynotes = [t for t in talks if t.kind == TalkKind.KEYNOTE]
        return render_template(
            "programme/home.html",
            conf=conference,
            day=day,
            glance=at_a_glance,
            keynotes=keynotes,
            phase=timeline.conference_phase(conference, now),
            now=now,
        )

    etag = make_etag(conference.id, conference.revision, "home", minute.isoformat())
    return cached_response(
        ("home", conference.id, minute), etag, render, cache_control="public, max-age=30"
    )


@bp.get("/<conf>/programme/")
def programme(conf: str) -> Response:
    """The programme of today (during the conference) or of its nearest day."""
    conference = queries.get_conference_or_404(conf)
    return _day_page(conference, timeline.display_day(conference, clock.now()))


@bp.get("/<conf>/programme/<day>/")
def programme_day(conf: str, day: str) -> Response:
    """One day's sessions by time slot, filterable by track and kind."""
    conference = queries.get_conference_or_404(conf)
    return _day_page(conference, _parse_day(conference, day))


def _parse_day(conference: Conference, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"“{text[:40]}” is not a date: days look like 2020-03-02.") from None
    if len(text) != 10 or day not in conference.days:
        raise NotFound(f"{conference.name} has no programme on {text[:40]}.")
    return day


def _day_page(conference: Conference, day: date) -> Response:
    track_filter = request.args.get("track", "").strip()
    kind_filter = request.args.get("kind", "").strip()
    if kind_filter and kind_filter not in TalkKind.__members__.values():
        raise BadRequest(f"“{kind_filter[:40]}” is not a kind of session.")

    def render() -> str:
        talks = queries.day_talks(conference, day)
        all_tracks = queries.tracks(conference)
        if track_filter and track_filter not in {t.slug for t in all_tracks}:
            raise BadRequest(f"There is no track called “{track_filter[:60]}”.")
        day_track_ids = {t.track_id for t in talks}
        return render_template(
            "programme/day.html",
            conf=conference,
            day=day,
            slots=timeline.slots(talks),
            tracks=[t for t in all_tracks if t.id in day_track_ids],
            kinds=queries.kinds_in_use(talks),
            track_filter=track_filter,
            kind_filter=kind_filter,
        )

    return _page_with(conference, ("day", day, track_filter, kind_filter), render)


def _page_with(
    conference: Conference, key: tuple[object, ...], render: Callable[[], str]
) -> Response:
    """Render once per programme revision and key; answer 304 when the client is up to date."""
    etag = make_etag(conference.id, conference.revision, *key)
    return cached_response((conference.id, *key), etag, render, last_modified=conference.updated_at)


@bp.get("/<conf>/sessions/<guid>/")
def session_page(conf: str, guid: str) -> Response:
    """One session: when, where, who, and what it is about."""
    conference = queries.get_conference_or_404(conf)
    talk = queries.get_talk_or_404(conference, guid)
    return _page_with(
        conference,
        ("session", guid),
        lambda: render_template("programme/session.html", conf=conference, talk=talk),
    )


@bp.get("/<conf>/tracks/")
def tracks(conf: str) -> Response:
    """Every track, when and where it runs, and who hosts it."""
    conference = queries.get_conference_or_404(conf)
    return _page_with(
        conference,
        ("tracks",),
        lambda: render_template(
            "programme/tracks.html", conf=conference, summaries=queries.track_summaries(conference)
        ),
    )


@bp.get("/<conf>/tracks/<slug>/")
def track(conf: str, slug: str) -> Response:
    """A track: its host's introduction, then its sessions."""
    conference = queries.get_conference_or_404(conf)
    found = queries.get_track_or_404(conference, slug)
    return _page_with(
        conference,
        ("track", slug),
        lambda: render_template(
            "programme/track.html", conf=conference, track=found, talks=queries.track_talks(found)
        ),
    )


@bp.get("/<conf>/speakers/")
def speakers(conf: str) -> Response:
    """Everyone on the programme, A to Z."""
    conference = queries.get_conference_or_404(conf)
    return _page_with(
        conference,
        ("speakers",),
        lambda: render_template(
            "programme/speakers.html", conf=conference, speakers=queries.speakers(conference)
        ),
    )


@bp.get("/<conf>/speakers/<slug>/")
def speaker(conf: str, slug: str) -> Response:
    """A speaker: bio, sessions, and the tracks they host."""
    conference = queries.get_conference_or_404(conf)
    person = queries.get_speaker_or_404(conference, slug)
    return _page_with(
        conference,
        ("speaker", slug),
        lambda: render_template("programme/speaker.html", conf=conference, speaker=person),
    )


@bp.get("/<conf>/rooms/")
def rooms(conf: str) -> Response:
    """Every room by floor."""
    conference = queries.get_conference_or_404(conf)
    return _page_with(
        conference,
        ("rooms",),
        lambda: render_template(
            "programme/rooms.html", conf=conference, rooms=queries.rooms(conference)
        ),
    )


@bp.get("/<conf>/rooms/<slug>/")
def room(conf: str, slug: str) -> Response:
    """A room: what is on now and next there, then its day."""
    conference = queries.get_conference_or_404(conf)
    place = queries.get_room_or_404(conference, slug)
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)

    def render() -> str:
        talks = queries.room_talks(place)
        day = timeline.display_day(conference, now)
        return render_template(
            "programme/room.html",
            conf=conference,
            room=place,
            day=day,
            glance=timeline.now_and_next(talks, now),
            day_talks=[t for t in talks if conference.day_of(t.start) == day],
            other_days=sorted({conference.day_of(t.start) for t in talks} - {day}),
        )

    etag = make_etag(conference.id, conference.revision, "room", slug, minute.isoformat())
    return cached_response(
        (conference.id, "room", slug, minute), etag, render, cache_control="public, max-age=30"
    )


@bp.get("/<conf>/search")
def search_page(conf: str) -> Response | str:
    """Sessions matching a query, best first."""
    conference = queries.get_conference_or_404(conf)
    query = request.args.get("q", "")
    limit = current_app.config["SEARCH_MAX_LENGTH"]
    if len(query) > limit:
        raise BadRequest(f"Search for at most {limit} characters.")
    if "\x00" in query:
        raise BadRequest("The search contains a character that cannot be searched for.")
    results = search.search(conference, query) if query.strip() else None
    return render_template("programme/search.html", conf=conference, query=query, results=results)
