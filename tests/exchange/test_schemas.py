"""Both exports against c3voc's own schemas (the XSD for frab XML, the JSON schema for
schedule.json) for any conference slug, room and track name: short slugs (`gpn`), slugs with
years (`rc3-2021`), one-letter rooms and tracks named by digits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft6Validator
from lxml import etree
from sqlalchemy.orm import Session

from companion.config import RESERVED_SLUGS
from companion.programme.models import Conference
from tests.exchange.conftest import SCHEMA, XSD

_SLUGS = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,5}){0,2}", fullmatch=True).filter(
    lambda slug: slug not in RESERVED_SLUGS
)
_NAMES = st.sampled_from(["A", "2", "Saal 1", "Ünï", "x-", "Night Owls", "한국어"])


def xsd_errors(body: bytes) -> list[str]:
    """What c3voc's XSD says about a frab XML document."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    schema.validate(etree.fromstring(body))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def json_errors(document: Any) -> list[str]:
    """What c3voc's JSON schema (with format checks) says about a schedule.json document."""
    validator = Draft6Validator(
        json.loads(SCHEMA.read_text()), format_checker=Draft6Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _exports(client: FlaskClient, slug: str) -> tuple[list[str], list[str]]:
    xml = client.get(f"/{slug}/schedule.xml")
    document = client.get(f"/{slug}/schedule.json").get_json()
    return xsd_errors(xml.get_data()), json_errors(document)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(slug=_SLUGS, room=_NAMES, track=_NAMES, title=st.sampled_from(["A", "Ok", "", "Talk"]))
@example(slug="rc3-2021", room="Saal 1", track="2", title="A")
@example(slug="gpn", room="A", track="Night Owls", title="Hello world")
@example(slug="36c3", room="x-", track="A", title="Ünïcode")
def test_exports_validate_against_both_schemas_for_any_slug(
    client: FlaskClient,
    dbs: Session,
    make_conference: Any,
    make_talk: Any,
    slug: str,
    room: str,
    track: str,
    title: str,
) -> None:
    conference = make_conference(slug=slug, name=f"Conf {slug}")
    try:
        make_talk(conference, title or "-", room=room, track=track, speakers=("Ada",))
        make_talk(conference, "Second", start="11:00", end="11:30", room=None)
        assert _exports(client, slug) == ([], [])
    finally:
        dbs.rollback()
        dbs.delete(dbs.get(Conference, conference.id))
        dbs.commit()


@pytest.mark.parametrize("slug", ["rc3-2021", "gpn"])
def test_short_slugs_failed_both_schemas_before(
    client: FlaskClient, make_conference: Any, make_talk: Any, slug: str
) -> None:
    """The slugs issue 13 names: 351 XSD errors for rc3-2021 and a JSON error for gpn."""
    make_talk(make_conference(slug=slug), "Opening")
    xml_problems, json_problems = _exports(client, slug)
    assert xml_problems == []
    assert json_problems == []
    assert (
        client.get(f"/{slug}/schedule.json").get_json()["schedule"]["conference"]["acronym"]
        == {"rc3-2021": "rc3_2021", "gpn": "gpn_"}[slug]
    )


def test_the_xsd_check_can_fail() -> None:
    broken = b"<schedule><version>1</version><conference><acronym>no</acronym></conference>"
    assert xsd_errors(broken + b"</schedule>")
