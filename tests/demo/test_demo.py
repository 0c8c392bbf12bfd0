from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from companion.demo.data import DEMO_SLUG, demo_data, synthetic_data
from companion.programme.models import Conference, Speaker, Talk, Track

REQUIRED_TITLES = [
    "Streaming a Million Likes/Second: Real-time Interactions on Live Video",
    "Moving Beyond Request-Reply: How Smart APIs Are Different",
    "Tesla Virtual Power Plant",
    "To Microservices and Back Again",
    "The Internet of Things Might Have Less Internet Than We Thought?",
    "Technical Leadership Through the Underground Railroad",
    "Interoperability of Open-Source Tools: The Emergence of Interfaces",
    "The Apollo Mindset: Making Mission Impossible, Possible",
]
REQUIRED_TRACKS = [
    "Next Generation Microservices: Building Distributed Systems the Right Way",
    "Streaming Data Architectures",
    "The Future of the API: REST, gRPC, GraphQL, and More",
    "Architectures You've Always Wondered About",
]


def _load(app: Flask, runner, *args: str) -> str:
    result = runner.invoke(args=["load-demo", *args])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_demo_loads_qcon_london_2020(app: Flask, runner, dbs: Session) -> None:
    assert "Loaded QCon London 2020: 2020-03-02 to 2020-03-04." in _load(app, runner)
    conference = dbs.execute(select(Conference).where(Conference.slug == DEMO_SLUG)).scalar_one()
    assert (conference.timezone, conference.venue) == ("Europe/London", "Queen Elizabeth II Centre")
    talks = list(
        dbs.execute(
            select(Talk).options(selectinload(Talk.speakers), selectinload(Talk.room))
        ).scalars()
    )
    assert len(talks) == 149
    kinds = Counter(t.kind for t in talks)
    assert kinds["keynote"] == 4 and kinds["break"] == 13
    titles = {t.title for t in talks}
    assert all(title in titles for title in REQUIRED_TITLES)
    track_names = set(dbs.execute(select(Track.name)).scalars())
    assert len(track_names) == 15 and set(REQUIRED_TRACKS) <= track_names
    gupta = next(t for t in talks if t.title.startswith("Streaming a Million"))
    assert [s.name for s in gupta.speakers] == ["Akhilesh Gupta"]
    assert any("Sam Newman" in [s.name for s in t.speakers] for t in talks)
    monzo = next(t for t in talks if t.title == "Modern Banking in 1500 Microservices")
    assert {s.affiliation for s in monzo.speakers} == {"Monzo"}


def test_demo_has_no_room_clash_and_every_track_a_host(app: Flask, runner, dbs: Session) -> None:
    _load(app, runner)
    by_room: dict[int | None, list[Talk]] = defaultdict(list)
    for talk in dbs.execute(select(Talk).order_by(Talk.start)).scalars():
        by_room[talk.room_id].append(talk)
    for talks in by_room.values():
        for earlier, later in pairwise(talks):
            assert earlier.end <= later.start, (earlier.title, later.title)
    for track in dbs.execute(select(Track).options(selectinload(Track.hosts))).scalars():
        assert track.hosts, track.name
        assert track.introduction


def test_demo_marks_invented_speakers_as_fictional(app: Flask, runner, dbs: Session) -> None:
    _load(app, runner)
    fictional = {s["slug"] for s in demo_data()["speakers"] if s["fictional"]}
    assert fictional
    bios = dict(dbs.execute(select(Speaker.slug, Speaker.bio)).all())
    assert all("Fictional speaker" in bios[slug] for slug in fictional)
    assert "Fictional" not in bios["akhilesh-gupta"]


def test_demo_today_shifts_the_first_day_to_today_and_is_repeatable(
    app: Flask, runner, dbs: Session
) -> None:
    app.config["FIXED_NOW"] = "2026-11-26T08:00:00+00:00"
    assert "2026-11-26 to 2026-11-28" in _load(app, runner, "--today")
    first = dbs.execute(select(func.min(Talk.start))).scalar_one()
    assert first == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Registration 08:00 GMT
    app.config["FIXED_NOW"] = "2026-11-27T08:00:00+00:00"
    assert "dates now QCon London 2020: 2026-11-27 to 2026-11-29" in _load(app, runner, "--today")
    dbs.expire_all()
    assert dbs.execute(select(func.count(Talk.id))).scalar_one() == 149
    assert dbs.execute(select(func.min(Talk.start))).scalar_one() == datetime(
        2026, 11, 27, 8, 0, tzinfo=UTC
    )


def test_demo_shift_keeps_wall_clock_times_across_dst(app: Flask, runner, dbs: Session) -> None:
    app.config["FIXED_NOW"] = "2026-07-01T08:00:00+00:00"  # London is on BST (UTC+1) in July
    _load(app, runner, "--today")
    first = dbs.execute(select(func.min(Talk.start))).scalar_one()
    assert first == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # still 08:00 local


def test_synthetic_conference_has_the_size_asked_for() -> None:
    data = synthetic_data(sessions=1000)
    assert len(data["sessions"]) == 1000
    slots = Counter((s["room"], s["date"], s["start"]) for s in data["sessions"])
    assert max(slots.values()) == 1
