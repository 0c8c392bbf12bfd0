"""Calendar files and feeds, and turning the private feed on, replacing or revoking it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response

from companion.caching import cached_response, conference_response, make_etag
from companion.ical import calendar
from companion.ical.queries import feed_fingerprint, get_feed_owner_or_404, starred_talks
from companion.programme import queries as programme
from companion.programme.models import Conference, Talk
from companion.web import external_url

bp = Blueprint("ical", __name__)

CALENDAR = "text/calendar"


def _url_of(talk: Talk, conference: Conference) -> str:
    return external_url("programme.session_page", conf=conference.slug, guid=talk.guid)


def _attach(response: Response, filename: str) -> Response:
    # inline: phones hand the file to the calendar app rather than saving it
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _public(
    conf: str, key: tuple[object, ...], filename: str, build: Callable[[Conference], bytes]
) -> Response:
    stamp = programme.get_conference_stamp_or_404(conf)
    response = conference_response(
        stamp, key, lambda: build(programme.get_conference(stamp.id)), mimetype=CALENDAR
    )
    return _attach(response, filename)


@bp.get("/<conf>/sessions/<guid>.ics")
def session_ics(conf: str, guid: str) -> Response:
    """One session, to add to a calendar."""

    def build(conference: Conference) -> bytes:
        talk = programme.get_talk_or_404(conference, guid)
        return calendar.calendar(
            talk.title, [talk], {conference.id: conference}, url_of=lambda t: _url_of(t, conference)
        )

    return _public(conf, ("ics-session", guid), f"{guid}.ics", build)


@bp.get("/<conf>/tracks/<slug>.ics")
def track_ics(conf: str, slug: str) -> Response:
    """Every session of a track (subscribe, or add once)."""

    def build(conference: Conference) -> bytes:
        track = programme.get_track_or_404(conference, slug)
        return calendar.calendar(
            f"{conference.name} · {track.name}",
            programme.track_talks(track, links=True),
            {conference.id: conference},
            url_of=lambda t: _url_of(t, conference),
        )

    return _public(conf, ("ics-track", slug), f"{conf}-{slug}.ics", build)


@bp.get("/<conf>/schedule.ics")
def schedule_ics(conf: str) -> Response:
    """The whole programme."""

    def build(conference: Conference) -> bytes:
        talks = programme.whole_programme(conference).talks
        return calendar.calendar(
            conference.name,
            talks,
            {conference.id: conference},
            url_of=lambda t: _url_of(t, conference),
        )

    return _public(conf, ("ics-schedule",), f"{conf}.ics", build)


@bp.get("/feeds/<token>.ics")
def private_feed(token: str) -> Response:
    """One person's starred sessions, with reminders at their lead time. Unknown or replaced
    tokens are 404 (never 403: that would confirm the address once existed)."""
    user = get_feed_owner_or_404(token)

    def build() -> bytes:
        talks = starred_talks(user)
        conferences = {t.conference_id: t.conference for t in talks}
        only = next(iter(conferences.values())) if len(conferences) == 1 else None
        name = f"My schedule · {only.name}" if only else "My conference schedule"
        return calendar.calendar(
            name,
            talks,
            conferences,
            url_of=lambda t: _url_of(t, conferences[t.conference_id]),
            reminder_minutes=user.reminder_minutes,
        )

    response = cached_response(
        ("feed", token),
        make_etag("feed", feed_fingerprint(user)),
        build,
        mimetype=CALENDAR,
        last_modified=user.schedule_changed_at,
        cache_control="private, no-cache",
        cache="feeds",
    )
    return _attach(response, "my-schedule.ics")
