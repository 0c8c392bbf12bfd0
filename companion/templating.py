"""Jinja filters every page shares."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask

from companion.markup import render_markdown
from companion.programme.models import Conference


def clock(value: datetime, conference: Conference) -> str:
    """ "14:10": an instant as a 24-hour clock time in the conference's zone."""
    return conference.local(value).strftime("%H:%M")


def iso(value: datetime) -> str:
    """An instant as ISO 8601 UTC, for <time datetime> and scripts."""
    return value.isoformat().replace("+00:00", "Z")


def long_day(value: date) -> str:
    """ "Monday 2 March"."""
    return f"{value:%A} {value.day} {value:%B}"


def short_day(value: date) -> str:
    """ "Mon 2"."""
    return f"{value:%a} {value.day}"


def stamp(value: datetime, conference: Conference) -> str:
    """ "Thu 26 Nov 2026, 23:53" in the conference's zone: when something was changed, which
    need not be during the conference."""
    local = conference.local(value)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def minutes(value: timedelta) -> str:
    """ "50 min" or "1 h 30 min"."""
    total = int(value.total_seconds() // 60)
    hours, mins = divmod(total, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def zone_label(conference: Conference, at: datetime | None = None) -> str:
    """ "London time (GMT)": the zone's city and its abbreviation at `at`."""
    city = conference.timezone.rsplit("/", 1)[-1].replace("_", " ")
    instant = at or datetime.combine(conference.start_date, datetime.min.time(), conference.zone)
    return f"{city} time ({conference.local(instant).tzname()})"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(
        md=render_markdown,
        clock=clock,
        iso=iso,
        long_day=long_day,
        short_day=short_day,
        stamp=stamp,
        minutes=minutes,
    )
    app.jinja_env.globals["zone_label"] = zone_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
