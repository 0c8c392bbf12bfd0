"""The page store: every public page of a conference's revision, rendered once for the whole
deployment (every worker and node reads it) instead of once per process.

`page_bodies` holds bodies by their ETag (content-addressed: a page that an edit did not change
keeps its row); `page_revisions` holds, per (conference, build, revision), the manifest that maps
each page's path to the ETag of its body, once the revision is completely rendered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow

RENDERING = "rendering"
COMPLETE = "complete"


class PageBody(Base):
    """One rendered body (a page, a JSON answer, a map file, a bundle or a delta) of one
    conference, gzipped when it is worth it, under the ETag of its bytes. Per conference: two
    conferences may hold the same bytes (the same floor map), and each prunes only its own."""

    __tablename__ = "page_bodies"

    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    etag: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(80))
    #: The body's length before compression.
    size: Mapped[int] = mapped_column(Integer)
    gzipped: Mapped[bool] = mapped_column(default=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: When a render last wrote or found it: pruning spares bodies touched within a grace
    #: period, so that a render in progress never loses what it has stored so far.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageRevision(Base):
    """The pages of one revision of a conference for one build: claimed by the one renderer
    that renders it (`rendering`, kept alive by `heartbeat_at`), then `complete` with its
    manifest (`pages`: JSON, path → ETag, in the offline list's order)."""

    __tablename__ = "page_revisions"
    __table_args__ = (CheckConstraint("state IN ('rendering', 'complete')", name="state_known"),)

    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    build: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=RENDERING)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Pages rendered, and the seconds it took (wall clock), for the freshness benchmark.
    rendered: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
    pages: Mapped[str | None] = mapped_column(Text)
