"""Helpers for the exchange tests: the real schedules, and importing inside an app context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from companion.db import session
from companion.exchange.apply import ImportResult, apply_import
from companion.exchange.importer import plan_import, read_schedule
from companion.programme.queries import conference_by_slug

SCHEDULES = Path(__file__).parent.parent / "data" / "schedules"
SCHEMAS = Path(__file__).parent.parent / "data" / "schemas"
SCHEMA = SCHEMAS / "voc-schedule__validator_json_schema.json"
XSD = SCHEMAS / "voc-schedule__validator_xsd_schedule.xml.xsd"
HUB = SCHEMAS / "voc-schedule__validator_json_examples_hub-schedule2.json"
CCC_XML = SCHEDULES / "giggity__36c3_merged.xml"
CCC_JSON = SCHEDULES / "pyfahrplan__36.json"
DEBCONF = SCHEDULES / "giggity__debconf23.xml"
RC3 = SCHEDULES / "voc-schedule__pretalx-rc3.json"


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context (and its database session) for calling the importer directly."""
    with app.app_context():
        yield


def run_import(
    data: bytes, *, slug: str | None = None, timezone: str | None = None, commit: bool = True
) -> ImportResult:
    """Read, plan and apply `data` into the conference `slug` (created when missing)."""
    schedule = read_schedule(data)
    target = slug or None
    conference = conference_by_slug(target) if target else None
    if conference is None and target is None:
        from companion.exchange.convert import slugify

        conference = conference_by_slug(slugify(schedule.acronym or schedule.title, fallback=""))
    plan = plan_import(schedule, conference=conference, slug=target, timezone=timezone)
    result = apply_import(plan, actor="Import of test data")
    if commit:
        session.commit()
    return result


@pytest.fixture
def importer(ctx: None) -> Callable[..., ImportResult]:
    """`importer(bytes, slug=…)` imports and commits."""
    return run_import


def read(path: Path) -> bytes:
    """A test file's bytes."""
    return path.read_bytes()
