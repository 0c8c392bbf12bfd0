"""The public changelog as an Atom feed (RFC 4287): pure, from the changelog's items to bytes."""

from __future__ import annotations

from xml.etree import ElementTree

from companion.hosting import changelog
from companion.parsing import without_controls
from companion.programme.models import Conference
from companion.web import external_url


def atom(conference: Conference, items: list[changelog.Change]) -> bytes:
    """Atom XML of the changes (written with ElementTree; nothing is parsed here)."""
    ns = "http://www.w3.org/2005/Atom"
    feed = ElementTree.Element("feed", xmlns=ns)
    ElementTree.SubElement(feed, "title").text = without_controls(
        f"{conference.name}: programme changes"
    )
    ElementTree.SubElement(feed, "id").text = f"tag:conference-companion,2026:{conference.slug}"
    updated = items[0].at if items else conference.updated_at
    ElementTree.SubElement(feed, "updated").text = updated.isoformat()
    ElementTree.SubElement(
        feed,
        "link",
        rel="alternate",
        href=external_url("hosting.changes", conf=conference.slug),
    )
    for item in items:
        entry = ElementTree.SubElement(feed, "entry")
        ElementTree.SubElement(entry, "title").text = without_controls(item.talk_title)
        ElementTree.SubElement(
            entry, "id"
        ).text = f"tag:conference-companion,2026:{item.talk_guid}:{item.at.timestamp():.0f}"
        ElementTree.SubElement(entry, "updated").text = item.at.isoformat()
        ElementTree.SubElement(entry, "summary").text = without_controls(" · ".join(item.lines))
        page = (
            external_url("hosting.changes", conf=conference.slug)
            if item.removed
            else external_url("programme.session_page", conf=conference.slug, guid=item.talk_guid)
        )
        ElementTree.SubElement(entry, "link", href=page)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, "utf-8")
