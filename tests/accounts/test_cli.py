from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import Role, User


def test_create_user_and_grant_roles(runner, make_conference, make_talk, dbs: Session) -> None:
    conference = make_conference()
    make_talk(conference, track="Streaming Data")
    created = runner.invoke(
        args=["create-user", "Host@Example.org", "--name", "Hanna"],
        input="long enough\nlong enough\n",
    )
    assert created.exit_code == 0, created.output
    assert "Created host@example.org." in created.output
    host = runner.invoke(
        args=["grant", "host@example.org", "--conference", "testconf", "--track", "streaming-data"]
    )
    assert "is now a host in testconf (track streaming-data)." in host.output
    again = runner.invoke(
        args=["grant", "host@example.org", "--conference", "testconf", "--organiser"]
    )
    assert again.exit_code == 0
    user = dbs.execute(select(User)).scalar_one()
    kinds = sorted(dbs.execute(select(Role.kind).where(Role.user_id == user.id)).scalars())
    assert kinds == ["host", "organiser"]


def test_grant_refuses_unknown_things(runner, make_conference) -> None:
    make_conference()
    assert (
        runner.invoke(
            args=["grant", "nobody@example.org", "--conference", "testconf", "--organiser"]
        ).exit_code
        == 2
    )
    runner.invoke(args=["create-user", "a@example.org"], input="long enough\nlong enough\n")
    result = runner.invoke(
        args=["grant", "a@example.org", "--conference", "testconf", "--track", "nope"]
    )
    assert result.exit_code == 2 and "No track nope in testconf." in result.output
