"""Programme models. `programme` imports no other feature; every other feature imports these."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from companion.db import Base, UTCDateTime, utcnow
from companion.programme.links import Link


class TalkKind(StrEnum):
    """What kind of programme item a talk is; breaks and keynotes usually have no track."""

    KEYNOTE = "keynote"
    TALK = "talk"
    PANEL = "panel"
    WORKSHOP = "workshop"
    BREAK = "break"


class TalkStatus(StrEnum):
    """Cancelled talks stay in the programme (and in feeds) so that attendees learn of it."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def is_colour(value: object) -> bool:
    """True for a track colour: `#rrggbb` (it lands in a style attribute, so nothing else may).
    The one rule: the model, the organiser's form, the demo loader and the importer use it."""
    return isinstance(value, str) and _HEX_COLOUR.fullmatch(value) is not None


def _new_guid() -> str:
    return str(uuid.uuid4())


class Conference(Base):
    """One event: dates are local to `timezone`; `revision` moves whenever its programme does."""

    __tablename__ = "conferences"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    #: Local hour at which one programme day hands over to the next (events after midnight stay on
    #: the evening's day, as at 36C3).
    day_change_hour: Mapped[int] = mapped_column(Integer, default=4)
    #: Bumped in the same transaction as any change to this conference's programme (see
    #: programme.revision); ETags and page caches are keyed by it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference",
        order_by="Track.position",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="conference",
        order_by="Room.position",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    floors: Mapped[list[Floor]] = relationship(
        back_populates="conference",
        order_by="Floor.level",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="conference",
        order_by="Speaker.name",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    talks: Mapped[list[Talk]] = relationship(
        back_populates="conference",
        order_by="Talk.start",
        lazy="raise",
        cascade="all, delete-orphan",
    )

    @property
    def zone(self) -> ZoneInfo:
        """The conference's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> list[date]:
        """Every programme day, first to last."""
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=n) for n in range(count)]

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants [start, end) that make up programme day `day`."""
        change = time(hour=self.day_change_hour)
        start = datetime.combine(day, change, tzinfo=self.zone)
        end = datetime.combine(day + timedelta(days=1), change, tzinfo=self.zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def day_of(self, instant: datetime) -> date:
        """The programme day an instant belongs to (after midnight counts as the evening before)."""
        local = instant.astimezone(self.zone)
        return (local - timedelta(hours=self.day_change_hour)).date()

    def local(self, instant: datetime) -> datetime:
        """`instant` in the conference's time zone."""
        return instant.astimezone(self.zone)


class Floor(Base):
    """A level of the venue; rooms sit on floors, and a floor will carry a map."""

    __tablename__ = "floors"
    __table_args__ = (UniqueConstraint("conference_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer, default=0)

    conference: Mapped[Conference] = relationship(back_populates="floors", lazy="raise")
    rooms: Mapped[list[Room]] = relationship(
        back_populates="floor", order_by="Room.position", lazy="raise"
    )


class Room(Base):
    """A place where talks happen."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("conference_id", "slug"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    floor_id: Mapped[int | None] = mapped_column(ForeignKey("floors.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: How to find it without a map ("3rd floor, left of the lifts").
    description: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    conference: Mapped[Conference] = relationship(back_populates="rooms", lazy="raise")
    floor: Mapped[Floor | None] = relationship(back_populates="rooms", lazy="raise")

    @property
    def label(self) -> str:
        """ "Fleming · 3rd floor": the room with its floor, as shown in time lines."""
        return f"{self.name} · {self.floor.name}" if self.floor else self.name

    @property
    def directions(self) -> str:
        """The description, without the floor it may start with where the floor is shown
        beside it ("3rd floor, turn left…" → "Turn left…")."""
        text = self.description.strip()
        if self.floor and text.lower().startswith(self.floor.name.lower()):
            rest = text[len(self.floor.name) :].lstrip(" ,;:.–-")
            return rest[:1].upper() + rest[1:] if rest else ""
        return text


class Speaker(Base):
    """A person on the programme: speaks in talks, and may host tracks."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("conference_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    #: Markdown, sanitised when rendered.
    bio: Mapped[str] = mapped_column(Text, default="")
    #: The hash of the speaker's photo (in its URLs; the files are `photos.models.SpeakerPhoto`),
    #: or None for a letter avatar. `photo_placeholder`: the photo is not of the speaker.
    photo: Mapped[str | None] = mapped_column(String(16))
    photo_placeholder: Mapped[bool] = mapped_column(default=False, server_default=false())

    conference: Mapped[Conference] = relationship(back_populates="speakers", lazy="raise")
    talk_links: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="speaker", lazy="raise", cascade="all, delete-orphan"
    )
    hosted_tracks: Mapped[list[Track]] = relationship(
        secondary="track_hosts",
        back_populates="hosts",
        lazy="raise",
        viewonly=True,
        order_by="Track.position",
    )
    talks: Mapped[list[Talk]] = relationship(
        secondary="talk_speakers",
        lazy="raise",
        viewonly=True,
        order_by="Talk.start",
    )
    #: Website, Mastodon, GitHub… in the order given.
    links: Mapped[list[Link]] = relationship(
        order_by=Link.position, lazy="raise", cascade="all, delete-orphan"
    )


class TrackHost(Base):
    """A person hosting a track, in the order the track lists its hosts."""

    __tablename__ = "track_hosts"

    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    track: Mapped[Track] = relationship(back_populates="host_links", lazy="raise")
    speaker: Mapped[Speaker] = relationship(lazy="raise")


class Track(Base):
    """A themed series of talks with one or more hosts who introduce it."""

    __tablename__ = "tracks"
    __table_args__ = (
        UniqueConstraint("conference_id", "slug"),
        CheckConstraint("length(colour) = 7", name="colour_is_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    #: "#RRGGBB", used as the track chip's background behind white text.
    colour: Mapped[str] = mapped_column(String(7), default="#4b5563")
    #: The host's introduction, Markdown, sanitised when rendered.
    introduction: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    conference: Mapped[Conference] = relationship(back_populates="tracks", lazy="raise")
    host_links: Mapped[list[TrackHost]] = relationship(
        back_populates="track",
        order_by="TrackHost.position",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    hosts: Mapped[list[Speaker]] = relationship(
        secondary="track_hosts",
        back_populates="hosted_tracks",
        lazy="raise",
        viewonly=True,
        order_by="TrackHost.position",
    )
    talks: Mapped[list[Talk]] = relationship(
        back_populates="track", order_by="Talk.start", lazy="raise"
    )

    @validates("colour")
    def _check_colour(self, _key: str, value: str) -> str:
        # It lands in a style attribute: nothing but #RRGGBB may get there, whoever writes it.
        if not is_colour(value):
            raise ValueError(f"track colour must be #RRGGBB, not {value!r}")
        return value.lower()


class TalkSpeaker(Base):
    """A speaker of a talk, in billing order."""

    __tablename__ = "talk_speakers"

    talk_id: Mapped[int] = mapped_column(
        ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    talk: Mapped[Talk] = relationship(back_populates="speaker_links", lazy="raise")
    speaker: Mapped[Speaker] = relationship(back_populates="talk_links", lazy="raise")


class Talk(Base):
    """A programme item of any kind (shown to people as a "session")."""

    __tablename__ = "talks"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint(
            "kind IN ('keynote', 'talk', 'panel', 'workshop', 'break')", name="kind_known"
        ),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        Index("ix_talks_conference_start", "conference_id", "start_at"),
        Index("ix_talks_room_start", "room_id", "start_at"),
        Index("ix_talks_track_start", "track_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable across edits and re-imports: iCal UIDs, exports and the stars API use it.
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=_new_guid)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default=TalkKind.TALK.value)
    title: Mapped[str] = mapped_column(String(300))
    #: Markdown, sanitised when rendered.
    abstract: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime)
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=TalkStatus.SCHEDULED.value)
    #: Bumped by every UPDATE (SQLAlchemy's version counter): optimistic locking for editors.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    conference: Mapped[Conference] = relationship(back_populates="talks", lazy="raise")
    track: Mapped[Track | None] = relationship(back_populates="talks", lazy="raise")
    room: Mapped[Room | None] = relationship(lazy="raise")
    speaker_links: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="talk",
        order_by="TalkSpeaker.position",
        lazy="raise",
        cascade="all, delete-orphan",
    )
    speakers: Mapped[list[Speaker]] = relationship(
        secondary="talk_speakers",
        lazy="raise",
        viewonly=True,
        order_by="TalkSpeaker.position",
    )
    #: Slides, recording, live stream and other links (programme.links.in_order).
    links: Mapped[list[Link]] = relationship(
        order_by=Link.position, lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def cancelled(self) -> bool:
        """True when the talk will not take place."""
        return self.status == TalkStatus.CANCELLED

    @property
    def duration(self) -> timedelta:
        """How long the talk lasts."""
        return self.end - self.start
