"""Mutated real files either import or are refused with our own error — never another
exception, never half an import. Example counts stay modest so the suite stays fast."""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.db import session
from companion.errors import CompanionError
from companion.exchange.apply import apply_import
from companion.exchange.importer import plan_import, read_schedule
from companion.programme.models import Conference, Talk
from tests.exchange.conftest import DEBCONF, RC3, read

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),  # more: FUZZ_EXAMPLES=500
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RC3_BYTES = read(RC3)
# The first day of DebConf (about 60 events) keeps each example quick.
_DEBCONF = read(DEBCONF)
DEBCONF_BYTES = _DEBCONF[: _DEBCONF.index(b'<day date="2023-09-11"')] + b"</schedule>\n"


def _attempt(data: bytes) -> None:
    """Import `data` and roll back; a refusal must leave the database as it was."""
    try:
        plan = plan_import(read_schedule(data), conference=None, timezone="Europe/Berlin")
    except CompanionError:
        assert not session.new and not session.dirty
        assert session.execute(select(func.count()).select_from(Talk)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Conference)).scalar_one() == 0
        session.rollback()
        return
    apply_import(plan, actor="fuzz")
    session.rollback()


byte_edits = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1, allow_nan=False),
        st.integers(min_value=0, max_value=40),
        st.binary(max_size=12),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(data: bytes, edits: list[tuple[float, int, bytes]]) -> bytes:
    for where, length, replacement in edits:
        at = int(where * len(data))
        data = data[:at] + replacement + data[at + length :]
    return data


@FUZZ
@given(edits=byte_edits)
def test_mutated_frab_xml_imports_or_is_refused(app: Flask, edits: Any) -> None:
    with app.app_context():
        _attempt(_mutate(DEBCONF_BYTES, edits))


@FUZZ
@given(edits=byte_edits)
def test_mutated_json_bytes_import_or_are_refused(app: Flask, edits: Any) -> None:
    with app.app_context():
        _attempt(_mutate(RC3_BYTES, edits))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.text(max_size=20)
    | st.sampled_from(["", "00:00", "25:99", "2020-02-30T10:00:00+01:00", "9999-12-31", "\x00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


RC3_DOCUMENT = json.loads(RC3_BYTES)
RC3_DOCUMENT["schedule"]["conference"]["days"] = RC3_DOCUMENT["schedule"]["conference"]["days"][:1]
RC3_PATHS = _paths(RC3_DOCUMENT)[1:]


@FUZZ
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(RC3_PATHS), json_values | st.just("<delete>")),
        min_size=1,
        max_size=4,
    )
)
def test_structurally_mutated_json_imports_or_is_refused(app: Flask, changes: Any) -> None:
    document = json.loads(json.dumps(RC3_DOCUMENT))
    for path, value in changes:
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    with app.app_context():
        _attempt(json.dumps(document).encode())
