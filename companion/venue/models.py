"""Floor maps and room places. A floor has at most one map; a room has at most one place on its
floor's map: a shape id (SVG maps) or a polygon (raster maps)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base, UTCDateTime, utcnow
from companion.programme.models import Floor, Room


class MapKind(StrEnum):
    """What a stored map is; the value is also the file extension it is served under."""

    SVG = "svg"
    PNG = "png"
    JPEG = "jpg"
    WEBP = "webp"

    @property
    def mimetype(self) -> str:
        """The Content-Type the map is served with."""
        return {
            "svg": "image/svg+xml",
            "png": "image/png",
            "jpg": "image/jpeg",
            "webp": "image/webp",
        }[self.value]


class FloorMap(Base):
    """The map of one floor. An SVG is stored only after sanitising (venue.sanitise)."""

    __tablename__ = "floor_maps"
    __table_args__ = (
        CheckConstraint("kind IN ('svg', 'png', 'jpg', 'webp')", name="kind_known"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    floor_id: Mapped[int] = mapped_column(
        ForeignKey("floors.id", ondelete="CASCADE"), primary_key=True
    )
    #: Denormalised from the floor: the revision hook and the offline list need no join.
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    #: The drawing's coordinate system: the SVG's viewBox, or the image's size in pixels.
    view_box: Mapped[str] = mapped_column(String(100))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: What the organiser uploaded it as (shown on the admin page).
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    floor: Mapped[Floor] = relationship(lazy="raise")

    @property
    def map_kind(self) -> MapKind:
        """`kind` as the enum."""
        return MapKind(self.kind)


class RoomPlace(Base):
    """Where a room is on its floor's map: the id of an SVG shape, or a polygon on an image."""

    __tablename__ = "room_places"
    __table_args__ = (
        CheckConstraint("shape_id IS NOT NULL OR points IS NOT NULL", name="has_a_place"),
    )

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    #: The `id` of the room's shape in the floor's SVG.
    shape_id: Mapped[str | None] = mapped_column(String(100))
    #: A polygon in the image's pixels, "x,y x,y x,y …" (raster maps).
    points: Mapped[str | None] = mapped_column(Text)

    room: Mapped[Room] = relationship(lazy="raise")
