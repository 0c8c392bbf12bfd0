"""A stored map as inline SVG for a page: ids made unique to the page, room shapes marked (and
linked to their room pages), the room being looked for highlighted.

The stored SVG was sanitised on upload; it is parsed again with defusedxml here all the same, and
written out by the same allow-list serialiser, so nothing but what the sanitiser lets through can
reach a page. Pages are rendered once per programme revision, so this runs rarely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement

from defusedxml import ElementTree as SafeET
from markupsafe import Markup

from companion.venue.models import FloorMap, MapKind
from companion.venue.sanitise import SVG_NS, serialise

_REF = re.compile(r"url\(\s*(['\"]?)#([^)'\"]+)\1\s*\)")


@dataclass(frozen=True, slots=True)
class PlacedRoom:
    """A room as a map shows it: name, page, and where it is drawn."""

    id: int
    slug: str
    name: str
    shape_id: str | None
    points: str | None


def inline_map(
    floor_map: FloorMap,
    rooms: list[PlacedRoom],
    *,
    image_url: str,
    label: str,
    room_url: Callable[[str], str] | None = None,
    here: str | None = None,
) -> Markup:
    """The map as an <svg> element. With `room_url`, each placed room is a link to its page;
    `here` is the slug of the room to highlight."""
    if floor_map.map_kind is MapKind.SVG:
        root = _svg(floor_map, rooms, room_url=room_url, here=here)
    else:
        root = _raster(floor_map, rooms, image_url=image_url, room_url=room_url, here=here)
    root.set("class", "map-svg")
    if room_url is None:
        root.set("role", "img")
    else:
        root.set("role", "group")
    root.set("aria-label", label)
    return Markup(serialise(root))


def _svg(
    floor_map: FloorMap,
    rooms: list[PlacedRoom],
    *,
    room_url: Callable[[str], str] | None,
    here: str | None,
) -> Element:
    root = SafeET.fromstring(floor_map.content)
    prefix = f"m{floor_map.floor_id}-"
    by_shape = {room.shape_id: room for room in rooms if room.shape_id}
    parents = {child: parent for parent in root.iter() for child in parent}
    found: list[tuple[Element, PlacedRoom]] = []
    for element in root.iter():
        element.tag = element.tag.replace(f"{{{SVG_NS}}}", "")
        for key, value in list(element.attrib.items()):
            if key == "id":
                if value in by_shape:
                    found.append((element, by_shape[value]))
                element.set(key, prefix + value)
            elif key == "href" and value.startswith("#"):
                element.set(key, f"#{prefix}{value[1:]}")
            elif "url(" in value:
                element.set(key, _REF.sub(lambda m: f"url(#{prefix}{m.group(2)})", value))
    for element, room in found:
        _mark(element, room, here)
        parent = parents.get(element)
        if room_url is not None and parent is not None:
            index = list(parent).index(element)
            link = _link(room, room_url, here)
            parent.remove(element)
            link.append(element)
            link.tail, element.tail = element.tail, None
            parent.insert(index, link)
    return root


def _raster(
    floor_map: FloorMap,
    rooms: list[PlacedRoom],
    *,
    image_url: str,
    room_url: Callable[[str], str] | None,
    here: str | None,
) -> Element:
    width, height = floor_map.width, floor_map.height
    root = Element("svg", viewBox=floor_map.view_box)
    SubElement(root, "image", href=image_url, width=str(width), height=str(height))
    size = max(width, height) / 45
    for room in rooms:
        if not room.points:
            continue
        holder = _link(room, room_url, here) if room_url else Element("g")
        root.append(holder)
        shape = SubElement(holder, "polygon", points=room.points)
        _mark(shape, room, here)
        x, y = _centre(room.points)
        text = SubElement(holder, "text", {"class": "room-label", "x": x, "y": y})
        text.set("font-size", f"{size:.0f}")
        text.text = room.name
    return root


def _mark(element: Element, room: PlacedRoom, here: str | None) -> None:
    element.set("class", "room-shape is-here" if room.slug == here else "room-shape")
    element.set("data-room", room.slug)


def _link(room: PlacedRoom, room_url: Callable[[str], str], here: str | None) -> Element:
    link = Element("a", {"href": room_url(room.slug), "aria-label": room.name})
    if room.slug == here:
        link.set("aria-current", "location")
    return link


def _centre(points: str) -> tuple[str, str]:
    pairs = [tuple(float(n) for n in p.split(",")) for p in points.split()]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    return f"{sum(xs) / len(xs):.0f}", f"{sum(ys) / len(ys):.0f}"
