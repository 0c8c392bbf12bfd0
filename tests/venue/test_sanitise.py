"""Uploads are recognised by their bytes and SVGs reduced to a safe subset: hostile files lose
everything that could run or reach out, or are refused outright with a clear message."""

from __future__ import annotations

import struct
import zlib

import pytest

from companion.errors import Invalid
from companion.venue.models import MapKind
from companion.venue.sanitise import MapTooLarge, NotAnImage, check_upload, shape_ids

HEAD = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    b' viewBox="0 0 100 50">'
)


def svg(body: str) -> bytes:
    return HEAD + body.encode() + b"</svg>"


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


#: A baseline JPEG header: SOI, an APP0 segment, then SOF0 with height 30 and width 40.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x11\x08\x00\x1e\x00\x28\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    b"\xff\xd9"
)
WEBP_LOSSLESS = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f" + (
    (63 | (31 << 14)).to_bytes(4, "little")
)


def test_script_elements_and_event_handlers_are_removed() -> None:
    checked = check_upload(
        svg(
            '<script>alert(1)</script><script xlink:href="https://evil.example/x.js"/>'
            '<rect id="fleming" width="10" height="10" onload="alert(2)" onclick="alert(3)"'
            ' onmouseover="alert(4)" fill="#abc"/>'
            '<set attributeName="onload" to="alert(5)"/>'
            '<animate attributeName="href" values="javascript:alert(6)"/>'
        )
    )
    text = checked.content.decode()
    assert text == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50">'
        '<rect id="fleming" width="10" height="10" fill="#abc"/></svg>'
    )
    assert checked.shape_ids == ("fleming",)


def test_javascript_links_lose_their_target_and_keep_their_drawing() -> None:
    checked = check_upload(
        svg(
            '<a xlink:href="javascript:alert(1)"><rect id="r" width="5" height="5"/></a>'
            '<a href=" JaVa&#x09;script:alert(2)"><circle r="2"/></a>'
            '<use xlink:href="javascript:alert(3)"/><use href="https://evil.example/s.svg#x"/>'
            '<use xlink:href="#r"/>'
        )
    )
    text = checked.content.decode()
    assert "javascript" not in text.lower() and "evil" not in text and "<a" not in text
    assert '<g><rect id="r" width="5" height="5"/></g><g><circle r="2"/></g>' in text
    assert text.endswith('<use/><use/><use href="#r"/></svg>')


def test_foreign_object_style_images_and_other_namespaces_are_removed() -> None:
    checked = check_upload(
        svg(
            '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
            '<img src="x" onerror="alert(1)"/></div></foreignObject>'
            "<style>@import url(https://evil.example/a.css); rect { fill: red }</style>"
            '<image xlink:href="https://evil.example/track.png"/>'
            '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>'
            '<rect width="1" height="1" class="skip-link" style="fill:url(https://evil.example/p);'
            'stroke:url(#grad);behavior:url(x.htc);background-image:url(x);opacity:.5"'
            ' fill="url(&quot;https://evil.example/&quot;)" mask="url(#m)"/>'
            '<text x="1" y="2">Room <tspan>A</tspan> &amp; B</text>'
        )
    )
    assert checked.content.decode() == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50">'
        '<rect width="1" height="1" style="stroke:url(#grad);opacity:.5" mask="url(#m)"/>'
        '<text x="1" y="2">Room <tspan>A</tspan> &amp; B</text></svg>'
    )


def test_external_entity_is_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg(
        "<text>&x;</text>"
    )
    with pytest.raises(Invalid) as refused:
        check_upload(xxe)
    assert refused.value.status == 422
    assert "entities" in refused.value.message


def test_billion_laughs_is_refused() -> None:
    lol = "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">{lol}]>'.encode()
    with pytest.raises(Invalid) as refused:
        check_upload(bomb + svg("<text>&lol9;</text>"))
    assert refused.value.status == 422
    assert "entities" in refused.value.message


def test_a_plain_doctype_is_dropped_and_the_map_kept() -> None:
    checked = check_upload(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
        b' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<!-- drawn by hand -->'
        b'<?xml-stylesheet href="https://evil.example/s.css"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200px"><rect id="a"/></svg>'
    )
    assert checked.content == (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 200"><rect id="a"/></svg>'
    )
    assert (checked.width, checked.height, checked.view_box) == (300, 200, "0 0 300 200")


@pytest.mark.parametrize(
    ("data", "error", "status", "message"),
    [
        (b"", Invalid, 422, "The file is empty."),
        (b"%PDF-1.7 not a map", NotAnImage, 415, "This file is not an image we can use"),
        (
            b"<html><body>hello</body></html>",
            NotAnImage,
            415,
            "not an SVG image (its root is <html>)",
        ),
        (svg("<rect>"), Invalid, 422, "The SVG is not well-formed XML (mismatched tag"),
        (b"\x1f\x8b\x08\x00", NotAnImage, 415, "compressed file"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            Invalid,
            422,
            "The SVG has no size",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Invalid, 422, "The PNG image is damaged"),
        (b"\xff\xd8\xff\xe0\x00", Invalid, 422, "The JPEG image is damaged"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    data: bytes, error: type[Invalid], status: int, message: str
) -> None:
    with pytest.raises(error) as refused:
        check_upload(data)
    assert refused.value.status == status
    assert message in refused.value.message


def test_too_big_is_refused_before_parsing() -> None:
    with pytest.raises(MapTooLarge) as refused:
        check_upload(svg("<rect/>" * 100), max_bytes=200)
    assert refused.value.status == 413
    assert refused.value.message == "The file is 1 KB; a map may be at most 1 KB."


def test_too_many_elements_is_refused() -> None:
    with pytest.raises(Invalid, match="more than 20,000 elements"):
        check_upload(svg("<g/>" * 20_001))


@pytest.mark.parametrize(
    ("data", "kind", "size"),
    [
        (png(3, 2), MapKind.PNG, (3, 2)),
        (JPEG, MapKind.JPEG, (40, 30)),
        (WEBP_LOSSLESS, MapKind.WEBP, (64, 32)),
    ],
)
def test_raster_images_are_recognised_by_their_bytes(
    data: bytes, kind: MapKind, size: tuple[int, int]
) -> None:
    checked = check_upload(data)
    assert (checked.kind, (checked.width, checked.height)) == (kind, size)
    assert checked.content == data
    assert checked.view_box == f"0 0 {size[0]} {size[1]}"


def test_shape_ids_of_a_stored_map() -> None:
    checked = check_upload(svg('<g id="a"><rect id="b"/><text id="c">x</text></g><path id="d"/>'))
    assert shape_ids(checked.content) == ("a", "b", "d")
