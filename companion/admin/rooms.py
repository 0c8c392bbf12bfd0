"""The organiser's rooms and floors: list, add, edit, delete (the maps are venue's pages)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import login_required

from companion.admin import forms, queries, room_operations
from companion.admin.blueprint import Page, bp, delete, form_page, form_values, organiser, post
from companion.programme import queries as programme
from companion.programme.models import Conference
from companion.saving import Outcome


def _venue_page(
    conference: Conference, outcome: Outcome | None = None, *, which: str = ""
) -> tuple[str, int]:
    return render_template(
        "admin/rooms.html",
        conf=conference,
        floors=queries.floors(conference),
        rooms=programme.rooms(conference),
        counts=queries.session_counts(conference, by="room"),
        which=which,
        form=request.form if outcome else {},
        errors=outcome.errors if outcome else {},
    ), outcome.status if outcome else 200


@bp.get("/rooms/")
@login_required
def rooms(conf: str) -> Page:
    """Floors and rooms, with forms to add them."""
    conference, _ = organiser(conf)
    return _venue_page(conference)


@bp.post("/rooms/")
@login_required
def add_room(conf: str) -> Page:
    """Add a room."""
    conference, me = organiser(conf)
    return post(
        lambda: room_operations.save_room(
            conference, None, forms.room_input(conference, form_values()), actor=me
        ),
        f"Added the room {request.form.get('name', '').strip()}.",
        "admin.rooms",
        lambda outcome: _venue_page(conference, outcome, which="room"),
        conf=conf,
    )


@bp.post("/floors/")
@login_required
def add_floor(conf: str) -> Page:
    """Add a floor."""
    conference, me = organiser(conf)
    return post(
        lambda: room_operations.save_floor(
            conference, None, forms.floor_input(form_values()), actor=me
        ),
        f"Added the floor {request.form.get('name', '').strip()}.",
        "admin.rooms",
        lambda outcome: _venue_page(conference, outcome, which="floor"),
        conf=conf,
    )


@bp.route("/rooms/<slug>", methods=["GET", "POST"])
@login_required
def edit_room(conf: str, slug: str) -> Page:
    """A room's name, floor, capacity and how to find it."""
    conference, me = organiser(conf)
    room = programme.get_room_or_404(conference, slug)
    return form_page(
        "admin/room.html",
        opened={
            "name": room.name,
            "floor": str(room.floor_id or ""),
            "capacity": "" if room.capacity is None else str(room.capacity),
            "description": room.description,
        },
        save=lambda: room_operations.save_room(
            conference, room, forms.room_input(conference, form_values()), actor=me
        ),
        done=f"Saved the room {request.form.get('name', '').strip()}.",
        to="admin.rooms",
        context=lambda: {
            "conf": conference,
            "room": room,
            "floors": queries.floors(conference),
            "sessions": queries.session_counts(conference, by="room").get(room.id, 0),
        },
        thing=room,
        conf=conf,
    )


@bp.post("/rooms/<slug>/delete")
@login_required
def delete_room(conf: str, slug: str) -> Page:
    """Remove a room no session uses."""
    conference, me = organiser(conf)
    thing = programme.get_room_or_404(conference, slug)
    return delete(
        f"the room {thing.name}",
        lambda: room_operations.delete_room(conference, thing, actor=me),
        failed=url_for("admin.edit_room", conf=conf, slug=slug),
        done=url_for("admin.rooms", conf=conf),
    )


@bp.route("/floors/<slug>", methods=["GET", "POST"])
@login_required
def edit_floor(conf: str, slug: str) -> Page:
    """A floor's name and level."""
    conference, me = organiser(conf)
    floor = programme.get_floor_or_404(conference, slug)
    return form_page(
        "admin/floor.html",
        opened={"name": floor.name, "level": str(floor.level)},
        save=lambda: room_operations.save_floor(
            conference, floor, forms.floor_input(form_values()), actor=me
        ),
        done=f"Saved the floor {request.form.get('name', '').strip()}.",
        to="admin.rooms",
        context=lambda: {"conf": conference, "floor": floor},
        thing=floor,
        conf=conf,
    )


@bp.post("/floors/<slug>/delete")
@login_required
def delete_floor(conf: str, slug: str) -> Page:
    """Remove a floor with no rooms."""
    conference, me = organiser(conf)
    thing = programme.get_floor_or_404(conference, slug)
    return delete(
        f"the floor {thing.name}",
        lambda: room_operations.delete_floor(conference, thing, actor=me),
        failed=url_for("admin.edit_floor", conf=conf, slug=slug),
        done=url_for("admin.rooms", conf=conf),
    )
