"""The files of speakers' photos, made once at upload (companion/photos/images.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow


class SpeakerPhoto(Base):
    """A speaker's photo in two sizes and two formats (`Speaker.photo` holds its hash)."""

    __tablename__ = "speaker_photos"

    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(16))
    small_webp: Mapped[bytes] = mapped_column(LargeBinary)
    small_jpg: Mapped[bytes] = mapped_column(LargeBinary)
    large_webp: Mapped[bytes] = mapped_column(LargeBinary)
    large_jpg: Mapped[bytes] = mapped_column(LargeBinary)
    #: The upload's size after turning it upright, before cropping.
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The address an import fetched it from (a schedule's `avatar`); None for an upload. A
    #: re-import naming the same address keeps the photo and fetches nothing.
    source_url: Mapped[str | None] = mapped_column(String(2000))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def file(self, size: str, kind: str) -> bytes:
        """The bytes of one size ("small", "large") and format ("webp", "jpg")."""
        return bytes(getattr(self, f"{size}_{kind}"))
