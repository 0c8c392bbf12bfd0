"""Venue pages: every floor's map (public, cached like the programme), the map files themselves
(served under a Content-Security-Policy that lets nothing run), and the organiser's page to put
maps in and place rooms on them.

(Every URL of these is listed in `companion/venue/__init__.py`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from companion.accounts.permissions import Need, conference_for
from companion.caching import conference_response
from companion.db import session
from companion.errors import Invalid
from companion.hosting.audit import subject_entries
from companion.parsing import small_int
from companion.programme import queries as programme
from companion.programme.models import Conference, Room
from companion.venue import operations, queries
from companion.venue.models import FloorMap, MapKind
from companion.venue.queries import FloorPlan
from companion.venue.render import inline_map
from companion.venue.sanitise import MapTooLarge, shape_ids
from companion.web import body_limit, private

bp = Blueprint("venue", __name__)

#: The map files: nothing in them may run, load, or be framed by another site, and a browser must
#: not guess another type. `sandbox` also stops scripts in an SVG opened on its own.
MAP_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; "
    "frame-ancestors 'self'"
)


@bp.after_request
def _private_admin(response: Response) -> Response:
    # Organiser pages are per person: never kept by a shared cache (the service worker skips
    # /admin/ too).
    if (request.endpoint or "").startswith("venue.") and "/admin/" in request.path:
        private(response)
    return response


# --- Public -------------------------------------------------------------------------------------


@bp.get("/<conf>/venue/")
def venue(conf: str) -> Response:
    """Every floor as a tab: its map with rooms linked to their pages, and its rooms in words."""
    stamp = programme.get_conference_stamp_or_404(conf)

    def render() -> str:
        conference = programme.get_conference(stamp.id)
        plans = queries.floor_plans(conference)
        return render_template(
            "venue/venue.html",
            conf=conference,
            plans=plans,
            svgs={p.floor.id: _floor_svg(conference, p) for p in plans if p.map},
        )

    return conference_response(stamp, ("venue",), render)


@bp.get("/<conf>/venue/floors/<slug>.<ext>")
def floor_map(conf: str, slug: str, ext: str) -> Response:
    """A floor's map file, as stored (an SVG only ever after sanitising)."""
    stamp = programme.get_conference_stamp_or_404(conf)
    try:
        kind = MapKind(ext)
    except ValueError:
        raise Invalid(f"Maps are .svg, .png, .jpg or .webp files, not .{ext[:10]}.") from None
    found = queries.get_map_or_404(stamp.id, slug, kind.value)
    response = conference_response(
        stamp,
        ("map", slug, kind.value),
        lambda: found.content,
        mimetype=kind.mimetype,
        cache="maps",
    )
    response.headers["Content-Security-Policy"] = MAP_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{slug}.{kind.value}"'
    return response


@dataclass(frozen=True, slots=True)
class RoomOnMap:
    """A room highlighted on its floor's map (templates/venue/_room_map.html)."""

    svg: Markup
    room_name: str
    floor_name: str
    venue_url: str


def room_on_map(conference: Conference, room: Room) -> RoomOnMap | None:
    """The map of the room's floor with the room highlighted; None when it is not on a map."""
    plan = queries.floor_plan_of(conference, room)
    if plan is None or plan.map is None or room.slug not in {r.slug for r in plan.placed}:
        return None
    floor = plan.floor
    return RoomOnMap(
        svg=inline_map(
            plan.map,
            plan.placed,
            image_url=plan.map_url or "",
            label=f"Map of the {floor.name.lower()} with {room.name} highlighted",
            here=room.slug,
        ),
        room_name=room.name,
        floor_name=floor.name,
        venue_url=url_for("venue.venue", conf=conference.slug, _anchor=f"floor-{floor.slug}"),
    )


def _floor_svg(conference: Conference, plan: FloorPlan, *, links: bool = True) -> Markup:
    assert plan.map is not None
    return inline_map(
        plan.map,
        plan.placed,
        image_url=plan.map_url or "",
        label=f"Map of the {plan.floor.name.lower()}",
        room_url=(lambda slug: url_for("programme.room", conf=conference.slug, slug=slug))
        if links
        else None,
    )


# --- Organisers ---------------------------------------------------------------------------------


def _organiser_conference(conf: str) -> Conference:
    conference, _, _ = conference_for(conf, Need.ORGANISER)
    return conference


@bp.get("/<conf>/admin/venue/")
@login_required
def admin(conf: str) -> str:
    """Each floor: its map, a form to upload or replace it, and where its rooms are on it."""
    return _admin_page(_organiser_conference(conf))[0]


def _admin_page(
    conference: Conference,
    *,
    error: Invalid | None = None,
    floor_slug: str | None = None,
    form: dict[str, str] | None = None,
) -> tuple[str, int]:
    plans = queries.floor_plans(conference)
    shapes = {
        p.floor.id: shape_ids(p.map.content)
        for p in plans
        if p.map is not None and p.map.map_kind is MapKind.SVG
    }
    return render_template(
        "venue/admin.html",
        conf=conference,
        plans=plans,
        svgs={p.floor.id: _floor_svg(conference, p, links=False) for p in plans if p.map},
        shapes=shapes,
        error=error,
        errors=(error.details.get("fields", {}) if error else {}),
        error_floor=floor_slug,
        form=form or {},
        max_size=f"{_map_limit() // (1024 * 1024)} MB",
    ), (error.status if error else 200)


def _map_limit() -> int:
    return int(current_app.config["VENUE_MAP_MAX_BYTES"])


@bp.post("/<conf>/admin/venue/floors/<slug>/map")
@login_required
# Larger than a map may be, so that an oversized one is named on the page, not a bare 413.
@body_limit(lambda: 2 * _map_limit() + 64 * 1024)
def upload_map(conf: str, slug: str) -> BaseResponse | tuple[str, int]:
    """Put in or replace a floor's map; a refused file changes nothing and says why."""
    conference = _organiser_conference(conf)
    floor = programme.get_floor_or_404(conference, slug)
    limit = _map_limit()
    try:
        length = request.content_length or 0
        if length > limit + 64 * 1024:  # refuse before reading it all
            raise MapTooLarge(
                f"The file is {length / 1024 / 1024:.1f} MB; a map may be at most "
                f"{limit / 1024 / 1024:.0f} MB."
            )
        upload = request.files.get("map")
        if upload is None or not upload.filename:
            raise Invalid("Choose a map file to upload.")
        old = session.get(FloorMap, floor.id)
        before = old.filename if old is not None else None
        result = operations.put_map(
            floor, upload.read(limit + 1), filename=upload.filename, max_bytes=limit
        )
        _audit(conference, floor.name, "map", before, upload.filename)
    except Invalid as error:
        session.rollback()
        return _admin_page(conference, error=error, floor_slug=slug)
    message = f"The map of the {floor.name.lower()} is in: {len(result.placed)} of "
    message += f"{len(result.placed) + len(result.unplaced)} rooms placed."
    if result.unplaced:
        message += " Not on the map yet: " + ", ".join(result.unplaced) + "."
    flash(message, "success")
    return redirect(url_for("venue.admin", conf=conf, _anchor=f"floor-{slug}"))


@bp.post("/<conf>/admin/venue/floors/<slug>/rooms")
@login_required
def save_places(conf: str, slug: str) -> BaseResponse | tuple[str, int]:
    """Where each room of the floor is: a shape of the SVG, or a polygon on the image."""
    conference = _organiser_conference(conf)
    floor = programme.get_floor_or_404(conference, slug)
    floor_map = session.get(FloorMap, floor.id)
    if floor_map is None:
        raise Invalid("Upload a map of this floor first.")
    choices: dict[int, str] = {}
    for key, value in request.form.items():
        room_id = small_int(key[5:]) if key.startswith("room-") else None
        if room_id is not None:
            choices[room_id] = value
    try:
        before = queries.places_of(floor)
        operations.place_rooms(floor, floor_map, choices)
        _audit(conference, floor.name, "places", before, queries.places_of(floor))
    except Invalid as error:
        session.rollback()
        return _admin_page(conference, error=error, floor_slug=slug, form=dict(request.form))
    flash(f"Rooms of the {floor.name.lower()} saved.", "success")
    return redirect(url_for("venue.admin", conf=conf, _anchor=f"floor-{slug}"))


@bp.post("/<conf>/admin/venue/floors/<slug>/map/delete")
@login_required
def delete_map(conf: str, slug: str) -> BaseResponse:
    """Take a floor's map out (its rooms keep their text descriptions)."""
    conference = _organiser_conference(conf)
    floor = programme.get_floor_or_404(conference, slug)
    old = session.get(FloorMap, floor.id)
    operations.remove_map(floor)
    _audit(conference, floor.name, "map", old.filename if old is not None else None, None)
    flash(f"The map of the {floor.name.lower()} was removed.", "success")
    return redirect(url_for("venue.admin", conf=conf, _anchor=f"floor-{slug}"))


def _audit(
    conference: Conference, floor_name: str, field: str, old: str | None, new: str | None
) -> None:
    """One audit row for a change to a floor's map, in the same transaction."""
    session.add_all(
        subject_entries(conference, current_user, "floor", floor_name, {field: old}, {field: new})
    )
