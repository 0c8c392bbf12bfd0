"""Search results as the JSON the search API answers and static/js/search.js draws: the same
fields the results page shows, highlights already escaped and marked (`*_html`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from companion.programme.models import Conference
from companion.search.queries import Results, SessionResult
from companion.templating import clock, iso, short_day


def results_data(conference: Conference, results: Results) -> dict[str, Any]:
    """Everything a results list needs, in the page's section order."""
    slug = conference.slug
    return {
        "query": results.query,
        "corrected": results.corrected,
        "speakers": [
            {
                "url": url_for("programme.speaker", conf=slug, slug=r.speaker.slug),
                "name_html": str(r.name),
                "affiliation": r.speaker.affiliation,
                "snippet_html": str(r.snippet),
                "sessions": [
                    {
                        "url": url_for("programme.session_page", conf=slug, guid=t.guid),
                        "title": t.title,
                    }
                    for t in r.speaker.talks
                ],
            }
            for r in results.speakers
        ],
        "tracks": [
            {
                "url": url_for("programme.track", conf=slug, slug=r.track.slug),
                "name_html": str(r.name),
                "colour": r.track.colour,
            }
            for r in results.tracks
        ],
        "sessions": [_session(conference, r) for r in results.sessions],
    }


def _session(conference: Conference, result: SessionResult) -> dict[str, Any]:
    talk = result.talk
    return {
        "guid": talk.guid,
        "url": url_for("programme.session_page", conf=conference.slug, guid=talk.guid),
        "day": short_day(conference.day_of(talk.start)),
        "start": iso(talk.start),
        "end": iso(talk.end),
        "start_clock": clock(talk.start, conference),
        "end_clock": clock(talk.end, conference),
        "room": talk.room.label if talk.room else "",
        "title_html": str(result.title),
        "speakers_html": str(result.speakers),
        "track_html": str(result.track),
        "colour": talk.track.colour if talk.track else None,
        "kind": talk.kind,
        "cancelled": talk.cancelled,
        "snippet_html": str(result.snippet),
    }
