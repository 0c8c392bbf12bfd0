"""frab schedule XML (frab, pretalx, wafer, Pentabarf): pure functions, bytes → neutral schedule
and programme → bytes.

Reading goes through defusedxml's SAX parser (no entity expansion, no external entities, no DTD
retrieval) into a small tree that remembers each element's line, so every refusal names the line.
"""

from __future__ import annotations

import xml.sax
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from xml.sax.handler import ContentHandler
from xml.sax.saxutils import escape, quoteattr
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from companion.exchange import layout, references
from companion.exchange.model import (
    MAX_DAYS,
    InvalidSchedule,
    ParsedEvent,
    ParsedLink,
    ParsedPerson,
    ParsedSchedule,
    clean,
    event_guid,
    parse_clock,
    parse_colour,
    parse_date,
    parse_day_change,
    parse_duration,
    parse_instant,
)
from companion.parsing import without_controls
from companion.programme.links import KIND_LABELS
from companion.programme.models import Talk
from companion.programme.queries import Programme

#: The media type c3voc registers for frab XML; clients also accept application/xml.
CONTENT_TYPE = "application/xml"
FORMAT = "frab XML"


# --- Reading ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Node:
    """An element: tag, attributes, direct text, children, and the line it starts on."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own text (not its children's)."""
        return "".join(self.parts)

    def child(self, tag: str) -> Node | None:
        """The first child called `tag`."""
        for node in self.children:
            if node.tag == tag:
                return node
        return None

    def child_text(self, tag: str) -> str:
        """The text of the first child called `tag` ("" when there is none)."""
        node = self.child(tag)
        return node.text if node is not None else ""

    def all(self, tag: str) -> list[Node]:
        """Every child called `tag`."""
        return [node for node in self.children if node.tag == tag]


class _TreeBuilder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Node | None = None
        self._stack: list[Node] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self._locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        line = self._locator.getLineNumber() if self._locator else 0
        node = Node(name, dict(attrs.items()), line or 0)
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def endElement(self, name: str) -> None:
        self._stack.pop()

    def characters(self, content: str) -> None:
        if self._stack:
            self._stack[-1].parts.append(content)


def read_tree(data: bytes) -> Node:
    """Parse XML safely into Nodes; malformed or dangerous XML is refused with its line."""
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(
            data, builder, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except xml.sax.SAXParseException as error:
        raise InvalidSchedule(
            f"line {error.getLineNumber()}", f"the XML is malformed ({error.getMessage()})."
        ) from None
    except DefusedXmlException as error:
        raise InvalidSchedule(
            "line 1",
            f"the XML declares entities or external references, which are refused ({error}).",
        ) from None
    except (UnicodeError, ValueError) as error:
        raise InvalidSchedule("line 1", f"the file cannot be read as XML ({error}).") from None
    if builder.root is None:
        raise InvalidSchedule("line 1", "the file is empty.")
    return builder.root


def parse(data: bytes) -> ParsedSchedule:
    """A frab XML file as a neutral schedule (lenient about what real files contain, strict about
    what a session needs: a guid or id, a title, a start and a duration)."""
    root = read_tree(data)
    if root.tag != "schedule":
        raise InvalidSchedule(
            f"line {root.line}", f"this is not a frab schedule: the root is <{root.tag}>."
        )
    conference = root.child("conference")
    if conference is None:
        raise InvalidSchedule(f"line {root.line}", "<schedule> has no <conference>.")
    where = f"line {conference.line}"
    schedule = ParsedSchedule(
        format=FORMAT,
        acronym=clean(conference.child_text("acronym")),
        title=clean(conference.child_text("title")),
        timezone=clean(conference.child_text("time_zone_name")) or None,
    )
    if not (schedule.title or schedule.acronym):
        raise InvalidSchedule(where, "the conference has neither a title nor an acronym.")
    for tag in ("start", "end"):
        node = conference.child(tag)
        if node is not None and node.text.strip():
            value = parse_date(node.text, f"line {node.line}")
            setattr(schedule, f"{tag}_date", value)
    days = conference.child("days")
    days_text = days.text.strip() if days is not None else ""
    if days_text.isdigit() and len(days_text) <= 4 and 0 < int(days_text) <= MAX_DAYS:
        schedule.days_count = int(days_text)
    slot = conference.child("timeslot_duration")
    if slot is not None and slot.text.strip():
        schedule.timeslot = parse_duration(slot.text, f"line {slot.line}")
    schedule.day_change = parse_day_change(conference.child_text("day_change"))
    for track in conference.all("track"):
        name, colour = clean(track.attrs.get("name", "")), parse_colour(track.attrs.get("color"))
        if name and colour:
            schedule.track_colours[name] = colour
    base_url = clean(conference.child_text("base_url"))
    for day in root.all("day"):
        _read_day(day, schedule, base_url)
    return schedule


def _read_day(day: Node, schedule: ParsedSchedule, base_url: str) -> None:
    where = f"line {day.line}"
    day_date = parse_date(day.attrs["date"], where) if day.attrs.get("date") else None
    day_start = _optional_instant(day.attrs.get("start", ""), where)
    day_end = _optional_instant(day.attrs.get("end", ""), where)
    if schedule.first_day_end is None and isinstance(day_end, datetime):
        schedule.first_day_end = day_end
    opens = day_start.time() if isinstance(day_start, datetime) else None
    for room in day.all("room"):
        container = clean(room.attrs.get("name", ""))
        if container and container not in schedule.rooms:
            schedule.rooms.append(container)
        for event in room.all("event"):
            schedule.events.append(_read_event(event, container, day_date, opens, base_url))


def _optional_instant(value: str, where: str) -> datetime | date | None:
    return parse_instant(value, where) if value.strip() else None


def _read_event(
    event: Node, container: str, day_date: date | None, opens: time | None, base_url: str
) -> ParsedEvent:
    where = f"line {event.line}"
    title = clean(event.child_text("title"))
    if not title:
        raise InvalidSchedule(where, "the event has no <title>.")
    guid = event_guid(
        event.attrs.get("guid") or event.child_text("guid"),
        event.attrs.get("id", ""),
        base_url,
        where,
    )
    duration_node = event.child("duration")
    if duration_node is None or not duration_node.text.strip():
        raise InvalidSchedule(where, "the event has no <duration>.")
    duration = parse_duration(duration_node.text, f"line {duration_node.line}")
    start = _event_start(event, day_date, opens, where)
    persons_node = event.child("persons")
    persons = []
    for person in persons_node.all("person") if persons_node is not None else []:
        name = clean(person.text)
        if name:
            ref = person.attrs.get("id") or person.attrs.get("code") or ""
            persons.append(ParsedPerson(name=name, ref=ref))
    return ParsedEvent(
        url=clean(event.child_text("url")),
        links=_read_links(event),
        where=where,
        guid=guid,
        title=title,
        start=start,
        duration=duration,
        # The container names the room; the event's own <room> is a copy that merged files get
        # wrong (36C3: "1Komona headnut" holds events saying "headnut").
        room=container or clean(event.child_text("room")),
        track=clean(event.child_text("track")),
        type=clean(event.child_text("type")),
        subtitle=clean(event.child_text("subtitle")),
        abstract=clean(event.child_text("abstract")),
        description=clean(event.child_text("description")),
        language=clean(event.child_text("language")),
        persons=persons,
    )


def _read_links(event: Node) -> list[ParsedLink]:
    """`<links><link href type>`, `<attachments><attachment href type>`, then `<recording>`'s
    `<link>`/`<url>` and the old `<video_download_url>` where they add an address."""
    found: list[ParsedLink] = []
    for group, tag in (("links", "link"), ("attachments", "attachment")):
        node = event.child(group)
        for item in node.all(tag) if node is not None else []:
            href, title = clean(item.attrs.get("href", "")), clean(item.text)
            # 36C3 gives some addresses as the text and the title as the href.
            if not references.is_web(href) and references.is_web(title):
                href, title = title, href
            kind = references.session_kind(item.attrs.get("type", ""), title)
            if group == "attachments" and kind == "other" and "slide" in title.lower():
                kind = "slides"
            found.append(
                ParsedLink(
                    kind,
                    href,
                    references.title_of(kind, title),
                    f"line {item.line}",
                )
            )
    recording = event.child("recording")
    videos = [recording.child("link"), recording.child("url")] if recording is not None else []
    videos.append(event.child("video_download_url"))
    seen = {link.url for link in found}
    for node in videos:
        url = clean(node.text) if node is not None else ""
        if node is not None and url and url not in seen:
            seen.add(url)
            found.append(ParsedLink("recording", url, "", f"line {node.line}"))
    return found


def _event_start(event: Node, day_date: date | None, opens: time | None, where: str) -> datetime:
    """The full <date> when it has a time (authoritative: DebConf's day dates and <start> are in
    different zones); else the day's date and <start>, on the next date when it is before the
    day opens (after midnight)."""
    date_node = event.child("date")
    start_node = event.child("start")
    if date_node is not None and date_node.text.strip():
        stamp = parse_instant(date_node.text, f"line {date_node.line}")
        if isinstance(stamp, datetime):
            return stamp
        day_date = stamp
    if start_node is None or not start_node.text.strip():
        raise InvalidSchedule(where, "the event has no <start> (nor a <date> with a time).")
    clock = parse_clock(start_node.text, f"line {start_node.line}")
    if day_date is None:
        raise InvalidSchedule(where, "the event's day has no date, and the event has no <date>.")
    local = datetime.combine(day_date, clock)
    if opens is not None and clock < opens:
        local += timedelta(days=1)
    return local


# --- Writing ------------------------------------------------------------------------------------


def export(
    programme: Programme, *, url_of: Callable[[Talk], str], base_url: str, generator: str
) -> bytes:
    """The programme as frab schedule XML (scheduled sessions; cancelled ones are left out so
    that schedule apps drop them). Written as text with escaping: several times faster than
    building an ElementTree for a 1,000-session programme."""
    conference = programme.conference
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<schedule>",
        f'  <generator name="conference-companion" version={quoteattr(generator)}/>',
        f"  <version>{conference.revision}</version>",
        "  <conference>",
    ]
    for tag, value in layout.conference_fields(conference, base_url=base_url):
        out.append(f"    {_element(tag, value)}")
    for track in programme.tracks:
        slug = layout.voc_slug(track.slug)
        out.append(
            f"    <track name={quoteattr(track.name)} color={quoteattr(track.colour)}"
            + (f" slug={quoteattr(slug)}" if slug else "")
            + "/>"
        )
    out.append("  </conference>")
    for day in layout.days(programme):
        out.append(
            f'  <day index="{day.index}" date="{day.date.isoformat()}" '
            f'start="{day.start.isoformat()}" end="{day.end.isoformat()}">'
        )
        for room_name, talks in day.rooms:
            out.append(f"    <room name={quoteattr(room_name)}>")
            for talk in talks:
                fields = layout.event_fields(conference, talk, url_of=url_of)
                out.append(f'      <event id="{fields["id"]}" guid={quoteattr(fields["guid"])}>')
                out.extend(
                    f"        {_element(tag, str(fields[tag] or ''))}"
                    for tag in layout.XML_EVENT_TAGS
                )
                out.append("        <persons>")
                out.extend(
                    f'          <person id="{person["id"]}">{escape(person["name"])}</person>'
                    for person in fields["persons"]
                )
                out.append("        </persons>")
                out.extend(_links(talk, fields["url"]))
                out.append("        <attachments/>")
                out.append("      </event>")
            out.append("    </room>")
        out.append("  </day>")
    out.append("</schedule>\n")
    # Rows stored before the rules (or imported) may hold characters XML cannot carry.
    return without_controls("\n".join(out)).encode()


def _links(talk: Talk, page: str) -> list[str]:
    """The session's page and its links (type: our kind), and its first recording again as
    `<recording>`, where frab puts it (read back once: the importer skips a repeated address)."""
    links = [f"<link href={quoteattr(page)}>Session page</link>"] + [
        f"<link href={quoteattr(link.url)} type={quoteattr(references.xml_type(link))}>"
        f"{escape(link.title or KIND_LABELS[link.kind])}</link>"
        for link in talk.links
    ]
    out = [f"        <links>{''.join(links)}</links>"]
    recording = next((link for link in talk.links if link.kind == "recording"), None)
    if recording is not None:
        out.append(
            "        <recording><license/><optout>false</optout>"
            f"{_element('link', recording.url)}</recording>"
        )
    return out


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else f"<{tag}/>"
