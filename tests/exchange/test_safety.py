"""The safety net of an import (issue 13): DebConf23's file into the QCon demo opens with a
summary and warnings, and is applied only with an explicit confirmation, on the page and on the
command line; a conference's own file re-imported warns about nothing."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.db import session
from companion.demo.data import DEMO_SLUG, demo_data
from companion.hosting.models import AuditEntry
from companion.programme.models import Conference, Talk, TalkStatus
from companion.programme.operations import create_conference_from_data, shift_conference
from tests.conftest import SAME_ORIGIN, sign_in
from tests.exchange.conftest import DEBCONF, read

URL = f"/{DEMO_SLUG}/admin/import/"


@pytest.fixture
def qcon(app: Flask, dbs: Session) -> Conference:
    """The QCon demo, moved to overlap DebConf23 (10–17 September 2023) by a day."""
    with app.app_context():
        conference = create_conference_from_data(demo_data())
        shift_conference(conference, days=(date(2023, 9, 11) - conference.start_date).days)
        session.commit()
    return dbs.execute(select(Conference).where(Conference.slug == DEMO_SLUG)).scalar_one()


def _state(dbs: Session) -> tuple[int, int, int, date, date]:
    dbs.expire_all()
    cancelled = dbs.execute(
        select(func.count()).where(Talk.status == TalkStatus.CANCELLED.value)
    ).scalar_one()
    talks = dbs.execute(select(func.count()).select_from(Talk)).scalar_one()
    audits = dbs.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    start, end = dbs.execute(select(Conference.start_date, Conference.end_date)).one()
    return talks, cancelled, audits, start, end


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def test_another_conferences_file_needs_the_box_ticked_on_the_page(
    client: FlaskClient, qcon: Conference, make_user: Any, grant_role: Any, dbs: Session
) -> None:
    grant_role(make_user(), qcon, "organiser")
    sign_in(client)
    scheduled = dbs.execute(
        select(func.count()).where(Talk.status == TalkStatus.SCHEDULED.value)
    ).scalar_one()
    before = _state(dbs)
    preview = client.post(
        URL,
        data={"file": (io.BytesIO(read(DEBCONF)), "debconf23.xml")},
        headers=SAME_ORIGIN,
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert '<dd id="count-new">117</dd>' in html
    assert '<dd id="count-changed">0</dd>' in html
    assert f'<dd id="count-cancelled">{scheduled}</dd>' in html
    assert "<strong>Dates:</strong> 11–13 September 2023 → 9–17 September 2023</p>" in html
    warnings = html[
        html.index('id="import-warnings"') : html.index(
            "</div>", html.index('id="import-warnings"')
        )
    ]
    assert "looks like another conference" in warnings and "“DebConf 23” (debconf23)" in warnings
    assert f"cancel {scheduled} of the {scheduled} scheduled sessions" in warnings
    assert "would widen the conference&#39;s dates (11–13 September 2023) to 9–17" in warnings
    assert (
        "2023-09-09 to 2023-09-10 (2 days)" in html and "2023-09-14 to 2023-09-17 (4 days)" in html
    )
    assert html.index('name="accept_warnings"') < html.index('id="d-cancelled"')  # before lists
    form = {"token": _hidden(html, "token"), "payload": _hidden(html, "payload")}
    refused = client.post(f"/{DEMO_SLUG}/admin/import/confirm", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 422
    assert "this import needs your confirmation" in refused.get_data(as_text=True)
    assert _state(dbs) == before
    done = client.post(
        f"/{DEMO_SLUG}/admin/import/confirm",
        data={**form, "accept_warnings": "yes"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 302
    talks, cancelled, _audits, start, end = _state(dbs)
    assert (talks, cancelled, start, end) == (
        before[0] + 117,
        scheduled,
        date(2023, 9, 9),
        date(2023, 9, 17),
    )


def test_the_cli_needs_accept_warnings_for_another_conferences_file(
    runner: Any, qcon: Conference, dbs: Session
) -> None:
    before = _state(dbs)
    refused = runner.invoke(args=["import-schedule", str(DEBCONF), "--conference", DEMO_SLUG])
    assert refused.exit_code == 1
    assert "WARNING: This file looks like another conference's" in refused.output
    assert "run again with --accept-warnings" in refused.output
    assert _state(dbs) == before
    done = runner.invoke(
        args=["import-schedule", str(DEBCONF), "--conference", DEMO_SLUG, "--accept-warnings"]
    )
    assert done.exit_code == 0, done.output
    assert _state(dbs)[0] == before[0] + 117


def test_the_conferences_own_file_warns_about_nothing(
    client: FlaskClient, runner: Any, qcon: Conference, dbs: Session, tmp_path: Any
) -> None:
    exported = client.get(f"/{DEMO_SLUG}/schedule.json").get_data()
    path = tmp_path / "qcon.json"
    path.write_bytes(exported.replace(b'"title":"', b'"title":"Re: ', 1))
    result = runner.invoke(args=["import-schedule", str(path), "--conference", DEMO_SLUG])
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output
