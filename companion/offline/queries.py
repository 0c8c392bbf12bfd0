"""What the service worker keeps offline."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from companion.db import session
from companion.programme.models import Conference, Room, Speaker, Talk, Track
from companion.venue.queries import offline_urls as venue_urls


def offline_urls(conference: Conference) -> list[str]:
    """Every public page of a conference (the offline copy), venue maps and speakers' photos
    included: six queries whatever its size."""
    slug = conference.slug
    urls = [
        url_for("programme.home", conf=slug),
        url_for("programme.programme", conf=slug),
        *(
            url_for("programme.programme_day", conf=slug, day=d.isoformat())
            for d in conference.days
        ),
        url_for("programme.tracks", conf=slug),
        url_for("programme.speakers", conf=slug),
        url_for("programme.rooms", conf=slug),
        url_for("search.search_page", conf=slug),
        url_for("offline.search_unavailable", conf=slug),
        url_for("hosting.changes", conf=slug),
        url_for("api.programme", conf=slug),
        *venue_urls(conference),
    ]
    for endpoint, column, model in (
        ("programme.track", Track.slug, Track),
        ("programme.speaker", Speaker.slug, Speaker),
        ("programme.room", Room.slug, Room),
    ):
        for value in session.execute(
            select(column).where(model.conference_id == conference.id).order_by(column)
        ).scalars():
            urls.append(url_for(endpoint, conf=slug, slug=value))
    # Speakers' photos, in WebP (what every browser that runs the service worker shows).
    for speaker, digest in session.execute(
        select(Speaker.slug, Speaker.photo)
        .where(Speaker.conference_id == conference.id, Speaker.photo.is_not(None))
        .order_by(Speaker.slug)
    ):
        for size in ("small", "large"):
            urls.append(
                url_for(
                    "photos.speaker_photo",
                    conf=slug,
                    slug=speaker,
                    digest=digest,
                    size=size,
                    ext="webp",
                )
            )
    for guid in session.execute(
        select(Talk.guid).where(Talk.conference_id == conference.id).order_by(Talk.start, Talk.id)
    ).scalars():
        urls.append(url_for("programme.session_page", conf=slug, guid=guid))
    return urls
