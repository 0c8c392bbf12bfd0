"""Jinja filters every page shares."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask
from markupsafe import Markup, escape

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


#: How a <time> is written, for static/js/zone.js to write it again in another zone.
TIME_FORMATS = ("clock", "end", "day", "short-day", "stamp")


def time_tag(value: datetime, conference: Conference, fmt: str = "clock") -> Markup:
    """`<time datetime="…Z" data-format="clock">14:10</time>`: an instant as the conference's zone
    writes it, marked with its format so that the device's zone can be shown instead. "end" is a
    clock time that gains "(+1)" in a zone where it falls on a later date than the start before
    it; "day" and "short-day" name the programme day ("Monday 2 March", "Mon 2")."""
    if fmt not in TIME_FORMATS:
        raise ValueError(f"unknown time format {fmt!r}")
    if fmt in ("clock", "end"):
        text = clock(value, conference)
    elif fmt == "day":
        text = long_day(conference.day_of(value))
    elif fmt == "short-day":
        text = short_day(conference.day_of(value))
    else:
        text = stamp(value, conference)
    return Markup('<time datetime="{}" data-format="{}">{}</time>').format(
        iso(value), fmt, escape(text)
    )


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
        time_tag=time_tag,
        minutes=minutes,
    )
    app.jinja_env.globals["zone_label"] = zone_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
