"""`flask import-schedule FILE [--conference SLUG] [--timezone ZONE] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.programme.models import Conference, Talk
from tests.exchange.conftest import DEBCONF, RC3


def _talks(dbs: Session) -> int:
    dbs.expire_all()
    return dbs.execute(select(func.count()).select_from(Talk)).scalar_one()


def test_dry_run_prints_the_diff_and_writes_nothing(runner: Any, dbs: Session) -> None:
    result = runner.invoke(args=["import-schedule", str(DEBCONF), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "giggity__debconf23.xml: frab XML, 117 sessions."
    assert lines[1] == (
        "New conference “DebConf 23” (debconf23, 2023-09-10 to 2023-09-17, Asia/Kolkata). "
        "117 new sessions, 5 new rooms, 12 new tracks, 87 new speakers."
    )
    assert "New rooms (5):" in lines and "  + Anamudi" in lines
    assert "  + Opening Ceremony (2023-09-10 10:30–10:50, Anamudi)" in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert _talks(dbs) == 0


def test_import_applies_then_reimport_finds_nothing(runner: Any, dbs: Session) -> None:
    result = runner.invoke(args=["import-schedule", str(RC3), "--timezone", "Europe/Berlin"])
    assert result.exit_code == 0, result.output
    assert "Imported into rc3-channels-2020." in result.output
    assert _talks(dbs) == 48
    zone = dbs.execute(select(Conference.timezone)).scalar_one()
    assert zone == "Europe/Berlin"
    again = runner.invoke(args=["import-schedule", str(RC3), "--conference", "rc3-channels-2020"])
    assert again.exit_code == 0, again.output
    assert "No changes: the programme already matches the file." in again.output
    assert again.output.splitlines()[-1] == "Nothing to import."


def test_a_bad_file_fails_with_its_place(runner: Any, dbs: Session, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schedule": {"conference": {"title": "X", "days": [{"rooms": {"A": [{}]}}]}}}')
    result = runner.invoke(args=["import-schedule", str(bad)])
    assert result.exit_code == 1
    assert result.output == (
        'Error: bad.json: schedule.conference.days[0].rooms["A"][0].title: the event has no '
        "title. Nothing was imported.\n"
    )
    assert _talks(dbs) == 0
