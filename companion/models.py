"""Every feature's models, imported in one place so that `Base.metadata` holds every table: Alembic
(`migrations/env.py`) compares it with the database. A feature with a `models.py` is listed here;
`tests/test_migrations.py` fails when one is missing."""

from __future__ import annotations

from typing import Any

from companion import db
from companion.accounts import models as accounts
from companion.agenda import models as agenda
from companion.hosting import models as hosting
from companion.live import models as live
from companion.notify import models as notify
from companion.occupancy import models as occupancy
from companion.offline import models as offline
from companion.photos import models as photos
from companion.programme import models as programme
from companion.questions import models as questions
from companion.search import models as search
from companion.venue import models as venue
from companion.votes import models as votes

#: The feature model modules, by feature name.
FEATURES = {
    "accounts": accounts,
    "agenda": agenda,
    "hosting": hosting,
    "live": live,
    "notify": notify,
    "occupancy": occupancy,
    "offline": offline,
    "photos": photos,
    "programme": programme,
    "questions": questions,
    "search": search,
    "venue": venue,
    "votes": votes,
}

#: The metadata of every table the app has.
metadata = db.Base.metadata


def modelled(name: str | None, type_: str, parents: Any) -> bool:
    """Alembic's `include_name`: leave out what a migration creates for one dialect only and no
    model describes (search's FTS5 tables, PostgreSQL indexes and tsvector column)."""
    if type_ == "column":
        return (parents.get("table_name"), name) not in search.UNMODELLED_COLUMNS
    return name not in search.UNMODELLED
