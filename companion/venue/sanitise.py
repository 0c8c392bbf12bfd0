"""Uploaded maps: recognise the file by its bytes, and reduce an SVG to a safe subset of itself.

An SVG is a document that can carry scripts, event handlers, foreign HTML, external references
and XML entities. It is parsed with defusedxml (entity declarations and external references are
refused outright, which stops "billion laughs" and XXE), then rebuilt from an allow-list: SVG
elements that draw, attributes that style or place them, and references only to `#ids` inside the
same file. Anything else is dropped; the result is serialised by our own code, so only what passed
the allow-list can reach the stored file. Raster images are recognised by their magic bytes, and
their size is read from their headers (no image library needed).
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from companion.config import Config
from companion.errors import Invalid
from companion.venue.models import MapKind

#: Largest map file accepted, in bytes, unless the app's VENUE_MAP_MAX_BYTES says otherwise.
MAX_BYTES = Config.VENUE_MAP_MAX_BYTES
#: The largest viewBox number taken (a floor plan in any unit fits; 1e300 is a typing mistake
#: or an attack, and would overflow the stored width and height).
MAX_COORDINATE = 10_000_000
#: Most elements an SVG map may have (a floor plan needs hundreds; more is a drawing or a bomb).
MAX_ELEMENTS = 20_000
#: Deepest nesting of SVG elements accepted.
MAX_DEPTH = 48
#: Largest side of a raster map, in pixels.
MAX_PIXELS = 12_000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


class MapTooLarge(Invalid):
    """The upload is bigger than a map may be."""

    status = 413
    title = "File too large"


class NotAnImage(Invalid):
    """The upload is not an SVG, PNG, JPEG or WebP image."""

    status = 415
    title = "Not an image"


@dataclass(frozen=True, slots=True)
class CheckedMap:
    """An upload that passed: what it is, its (cleaned) bytes and its coordinate system."""

    kind: MapKind
    content: bytes
    view_box: str
    width: int
    height: int
    #: Ids of the SVG's shapes, in document order (rooms are linked to these); empty for images.
    shape_ids: tuple[str, ...] = ()


def check_upload(data: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedMap:
    """The upload as a map, or Invalid (413 too big, 415 not an image, 422 damaged) saying why."""
    if not data:
        raise Invalid("The file is empty.", details={"fields": {"map": "Choose a map file."}})
    if len(data) > max_bytes:
        raise MapTooLarge(
            f"The file is {_size(len(data))}; a map may be at most {_size(max_bytes)}.",
            details={"fields": {"map": "Choose a smaller file."}},
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(MapKind.PNG, data, _png_size(data))
    if data.startswith(b"\xff\xd8\xff"):
        return _raster(MapKind.JPEG, data, _jpeg_size(data))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _raster(MapKind.WEBP, data, _webp_size(data))
    if data.startswith(b"\x1f\x8b"):
        raise NotAnImage("This is a compressed file (.svgz or .gz): upload the plain .svg file.")
    if _looks_like_xml(data):
        return sanitise_svg(data)
    raise NotAnImage(
        "This file is not an image we can use: upload an SVG, PNG, JPEG or WebP file.",
        details={"fields": {"map": "Choose an SVG, PNG, JPEG or WebP file."}},
    )


def _size(count: int) -> str:
    return (
        f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{math.ceil(count / 1024)} KB"
    )


def _looks_like_xml(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


# --- Raster images ------------------------------------------------------------------------------


def _raster(kind: MapKind, data: bytes, size: tuple[int, int] | None) -> CheckedMap:
    if size is None:
        raise Invalid(f"The {kind.name} image is damaged or incomplete: export it again.")
    width, height = size
    if not (0 < width <= MAX_PIXELS and 0 < height <= MAX_PIXELS):
        raise Invalid(
            f"The image is {width}×{height} pixels; a map may be at most {MAX_PIXELS}×{MAX_PIXELS}."
        )
    return CheckedMap(kind, data, f"0 0 {width} {height}", width, height)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


#: JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        if marker == 0xD9 or length < 2:
            return None
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


# --- SVG ----------------------------------------------------------------------------------------

#: Elements kept: those that draw, group, define paint, or describe. Everything else (script,
#: foreignObject, iframe, image, style, animate/set…) is dropped with its content.
ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse",
        "line", "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
        "clipPath", "mask", "pattern", "marker",
    }
)  # fmt: skip
#: Elements whose text content is kept.
TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan"})
#: Elements that may refer to another element of the same file with `href="#id"`.
HREF_ELEMENTS = frozenset({"use", "linearGradient", "radialGradient", "pattern"})
#: Presentation properties: allowed as attributes and inside `style`.
PROPERTIES = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
        "stroke-miterlimit", "opacity", "clip-rule", "clip-path", "mask", "font-family",
        "font-size", "font-weight", "font-style", "font-variant", "text-anchor",
        "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing",
        "word-spacing", "text-decoration", "visibility", "display", "color", "stop-color",
        "stop-opacity", "marker-start", "marker-mid", "marker-end", "vector-effect",
        "paint-order", "shape-rendering", "text-rendering",
    }
)  # fmt: skip
#: Geometry and structure attributes (no event handlers, no external links).
ATTRIBUTES = PROPERTIES | frozenset(
    {
        "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr",
        "width", "height", "d", "points", "transform", "viewBox", "preserveAspectRatio", "dx",
        "dy", "rotate", "textLength", "lengthAdjust", "offset", "gradientUnits",
        "gradientTransform", "spreadMethod", "markerWidth", "markerHeight", "markerUnits",
        "refX", "refY", "orient", "clipPathUnits", "maskUnits", "maskContentUnits",
        "patternUnits", "patternContentUnits", "patternTransform", "pathLength", "href", "style",
        "role", "aria-label", "aria-hidden",
    }
)  # fmt: skip
#: Shapes a room can be linked to.
SHAPES = frozenset({"g", "path", "rect", "circle", "ellipse", "polygon", "polyline", "use"})

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,99}")
_LOCAL_REF = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]{0,99}")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
#: Characters with no business in a presentation value (CSS escapes, at-rules, blocks, comments,
#: markup) and words that only ever mean code.
_UNSAFE_VALUE = re.compile(
    r"[\\@{}<>]|/\*|expression|javascript|vbscript|data:|behavior|-moz-binding",
    re.IGNORECASE,
)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LENGTH = re.compile(rf"\s*({_NUMBER})\s*(px)?\s*")


@dataclass
class _Walk:
    count: int = 0


def sanitise_svg(data: bytes) -> CheckedMap:
    """The SVG reduced to the allow-list, or Invalid saying why it cannot be used at all."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Invalid(
            "The SVG declares XML entities or refers to outside files, which maps may not do: "
            "export it again as a plain SVG."
        ) from None
    except SafeET.ParseError as error:
        raise Invalid(f"The SVG is not well-formed XML ({error}): export it again.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise NotAnImage(
            f"This XML file is not an SVG image (its root is <{_local(root.tag) or root.tag}>)."
        )
    view_box, width, height = _view_box(root)
    walk = _Walk()
    clean = _clean(root, walk, depth=0)
    assert clean is not None  # the root is an allowed element
    for attribute in ("width", "height", "x", "y"):
        clean.attrib.pop(attribute, None)  # it scales to its container; the viewBox keeps shape
    clean.set("viewBox", view_box)
    ids = tuple(
        el.get("id", "")
        for el in clean.iter()
        if el.get("id") and el is not clean and el.tag in SHAPES
    )
    return CheckedMap(MapKind.SVG, serialise(clean).encode(), view_box, width, height, ids)


def _local(tag: str) -> str | None:
    """The SVG element's name, or None for any other namespace."""
    prefix = f"{{{SVG_NS}}}"
    return tag[len(prefix) :] if isinstance(tag, str) and tag.startswith(prefix) else None


def _view_box(root: Element) -> tuple[str, int, int]:
    raw = root.get("viewBox")
    if raw is not None:
        numbers = re.split(r"[\s,]+", raw.strip())
        try:
            x, y, w, h = (float(n) for n in numbers)
        except ValueError:
            raise Invalid(f"The SVG's viewBox “{raw[:60]}” is not four numbers.") from None
    else:
        width, height = (_LENGTH.fullmatch(root.get(k, "")) for k in ("width", "height"))
        if not width or not height:
            raise Invalid(
                "The SVG has no size: give its root element a viewBox (or width and height in "
                "pixels)."
            )
        x, y, w, h = 0.0, 0.0, float(width.group(1)), float(height.group(1))
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise Invalid("The SVG's viewBox must have a positive width and height.")
    if any(abs(v) > MAX_COORDINATE for v in (x, y, w, h)):
        raise Invalid(
            f"The SVG's viewBox is far too large: keep its numbers within ±{MAX_COORDINATE:,}."
        )
    return " ".join(_num(v) for v in (x, y, w, h)), max(1, math.ceil(w)), max(1, math.ceil(h))


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


#: Containers kept as plain groups: their drawing stays, their links and logic go.
UNWRAPPED = {"a": "g", "switch": "g"}


def _clean(element: Element, walk: _Walk, *, depth: int) -> Element | None:
    name = _local(element.tag)
    name = UNWRAPPED.get(name or "", name)
    if name not in ELEMENTS:
        return None
    walk.count += 1
    if walk.count > MAX_ELEMENTS:
        raise Invalid(f"The SVG has more than {MAX_ELEMENTS:,} elements: simplify the drawing.")
    if depth > MAX_DEPTH:
        raise Invalid(f"The SVG nests elements more than {MAX_DEPTH} deep: simplify the drawing.")
    out = Element(name)
    for key, value in element.attrib.items():
        cleaned = _attribute(name, key, value)
        if cleaned is not None:
            out.set(*cleaned)
    if name in TEXT_ELEMENTS:
        out.text = element.text
    for child in element:
        kept = _clean(child, walk, depth=depth + 1)
        if kept is not None:
            kept.tail = child.tail if name in TEXT_ELEMENTS else None
            out.append(kept)
    return out


def _attribute(element: str, key: str, value: str) -> tuple[str, str] | None:
    if key == f"{{{XLINK_NS}}}href":
        key = "href"
    if key not in ATTRIBUTES:  # on*, namespaced (xml:, inkscape:, …), class, anything unknown
        return None
    value = value.strip()
    if key == "id":
        return (key, value) if _ID.fullmatch(value) else None
    if key == "href":
        return (key, value) if element in HREF_ELEMENTS and _LOCAL_REF.fullmatch(value) else None
    if key == "style":
        style = _style(value)
        return (key, style) if style else None
    return (key, value) if _safe_value(value) else None


def _safe_value(value: str) -> bool:
    """No code, escapes or markup, and url() only to an element of this file."""
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", value)
    if _UNSAFE_VALUE.search(squeezed):
        return False
    return all(_LOCAL_REF.fullmatch(m.group(2).strip()) for m in _URL.finditer(value)) and (
        "url(" not in squeezed.lower() or bool(_URL.search(value))
    )


def _style(value: str) -> str:
    kept = []
    for declaration in value.split(";"):
        prop, colon, val = declaration.partition(":")
        prop, val = prop.strip().lower(), val.strip()
        if colon and prop in PROPERTIES and val and _safe_value(val):
            kept.append(f"{prop}:{val}")
    return ";".join(kept)


# --- Writing ------------------------------------------------------------------------------------


def _escape(text: str, *, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def serialise(root: Element) -> str:
    """Write a tree of plain-named SVG elements (the root gets the SVG namespace)."""
    parts: list[str] = []
    _write(root, parts, top=True)
    return "".join(parts)


def _write(element: Element, parts: list[str], *, top: bool = False) -> None:
    name = _local(element.tag) or element.tag
    parts.append(f"<{name}")
    if top:
        parts.append(f' xmlns="{SVG_NS}"')
    for key, value in element.attrib.items():
        parts.append(f' {key}="{_escape(value, quote=True)}"')
    if element.text is None and len(element) == 0:
        parts.append("/>")
    else:
        parts.append(">")
        if element.text:
            parts.append(_escape(element.text))
        for child in element:
            _write(child, parts)
        parts.append(f"</{name}>")
    if element.tail and not top:
        parts.append(_escape(element.tail))


def shape_ids(content: bytes) -> tuple[str, ...]:
    """The ids of the shapes of a stored (already sanitised) SVG, in document order."""
    root = SafeET.fromstring(content)
    return tuple(
        el.get("id", "")
        for el in root.iter()
        if el is not root and el.get("id") and _local(el.tag) in SHAPES
    )
