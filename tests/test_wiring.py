"""The shapes of issue 14, held by tests: one commit point, listeners registered in one way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where a commit may be written: the request's commit point, the CLI's commands, the worker's
#: batches, the throttle's counters and the page store's writes (each a unit of work of its own).
COMMITTERS = {
    "companion/db.py",
    "companion/cli.py",
    "companion/notify/worker.py",
    "companion/notify/planner.py",
    "companion/accounts/throttle.py",
    "companion/offline/store.py",
    "companion/offline/render.py",
}


def _sources() -> list[Path]:
    return sorted((ROOT / "companion").rglob("*.py"))


def test_views_and_operations_never_commit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if re.search(r"\.commit\(\)", path.read_text())
        and str(path.relative_to(ROOT)) not in COMMITTERS
    ]
    assert offenders == []


def test_session_listeners_are_registered_only_through_db_listen() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if "event.listen(" in path.read_text() and path.name != "db.py"
    ]
    assert offenders == []


def test_nothing_registers_itself_on_import() -> None:
    """No blueprint `record_once` hooks and no decorator-filled registries."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if re.search(r"@\w+\.record(_once)?\b|@on_merge", path.read_text())
    ]
    assert offenders == []


def test_roles_are_checked_only_through_accounts_permissions() -> None:
    """One way to refuse: permissions.require / conference_for raise typed errors; nobody calls
    abort(403) or reads powers() to decide a refusal of their own."""
    allowed = {"companion/accounts/queries.py", "companion/accounts/permissions.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if str(path.relative_to(ROOT)) not in allowed
        and re.search(r"abort\(40[13]|raise Forbidden\(|\bpowers\(current_user", path.read_text())
    ]
    assert offenders == []


def test_every_cached_answer_about_a_conference_goes_through_one_helper() -> None:
    """Keys, validators and the store of every cached public answer: caching.conference_response
    (issue 15 changes how answers are stored in that one place)."""
    pattern = r"make_etag\(stamp|extensions\[\"companion\.\w+_cache"
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path.name != "caching.py" and re.search(pattern, path.read_text())
    ]
    assert offenders == []
