"""Programme data for demos, tests and benchmarks: the QCon London 2020 demo and synthetic ones."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from importlib import resources
from typing import Any

#: Slug of the demo conference.
DEMO_SLUG = "qcon-london-2020"

_TOPICS = [
    "Microservices",
    "Kafka",
    "Rust",
    "Kubernetes",
    "GraphQL",
    "Observability",
    "Chaos",
    "Serverless",
    "Postgres",
    "WebAssembly",
    "Java",
    "Python",
    "Machine Learning",
    "Security",
    "Event Sourcing",
    "Edge Computing",
    "Platform Teams",
    "Incident Response",
    "Caching",
    "gRPC",
]
_VERBS = [
    "Scaling",
    "Debugging",
    "Migrating to",
    "Testing",
    "Operating",
    "Designing with",
    "Securing",
    "Measuring",
    "Simplifying",
    "Rethinking",
]
_FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Eun-ji",
    "Farah",
    "Gus",
    "Hana",
    "Ife",
    "José",
    "Kai",
    "Lena",
    "Mo",
    "Nia",
    "Olu",
    "Priya",
    "Quinn",
    "Rui",
    "Sade",
    "Tomás",
    "Uma",
    "Vik",
]
_LAST = [
    "Okafor",
    "Nakamura",
    "Schmidt",
    "Patel",
    "Silva",
    "Kowalski",
    "O'Neill",
    "Haddad",
    "Lindqvist",
    "Mensah",
    "Ríos",
    "Chen",
    "Dubois",
    "Ivanova",
    "Kaur",
    "Moreau",
]


def demo_data() -> dict[str, Any]:
    """The QCon London 2020 demo programme (real where known, invented parts marked)."""
    text = resources.files("companion.demo").joinpath("qcon_london_2020.json").read_text("utf-8")
    return dict(json.loads(text))


def synthetic_data(
    *, slug: str = "synthetic", sessions: int = 1000, days: int = 4, seed: int = 1
) -> dict[str, Any]:
    """A plausible made-up conference with exactly `sessions` talks, for scale tests and benchmarks.

    Parallel rooms are added until every day's slots hold the sessions, so rooms never double-book.
    """
    rng = random.Random(seed)
    slots_per_day = [(9 * 60 + 50 * n) for n in range(12)]  # 09:00 … 18:10, 45 min + 5 min gap
    rooms_needed = -(-sessions // (days * len(slots_per_day)))
    rooms = [
        {
            "slug": f"room-{n + 1}",
            "name": f"Room {n + 1}",
            "capacity": 80 + 20 * (n % 5),
            "floor": f"level-{n % 3}",
            "description": f"Level {n % 3}, door {n + 1}",
        }
        for n in range(rooms_needed)
    ]
    tracks = [
        {
            "slug": f"track-{n + 1}",
            "name": f"{_TOPICS[n % len(_TOPICS)]} in Practice {n + 1}",
            "colour": f"#{rng.randrange(0x20, 0x90):02x}{rng.randrange(0x20, 0x90):02x}"
            f"{rng.randrange(0x20, 0x90):02x}",
            "hosts": [f"person-{n + 1}"],
            "introduction": f"Welcome to **track {n + 1}**.",
        }
        for n in range(max(3, rooms_needed * days // 2))
    ]
    people = max(60, sessions // 2)
    speakers = [
        {
            "slug": f"person-{n + 1}",
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {n + 1}",
            "affiliation": rng.choice(["Acme", "Globex", "Initech", "Umbrella", "Hooli"]),
            "bio": "Builds things and talks about them.",
            "fictional": True,
        }
        for n in range(people)
    ]
    start = date(2030, 5, 6)
    talks = []
    for index in range(sessions):
        day, rest = divmod(index, rooms_needed * len(slots_per_day))
        slot, room = divmod(rest, rooms_needed)
        minute = slots_per_day[slot]
        topic = rng.choice(_TOPICS)
        talks.append(
            {
                "title": f"{rng.choice(_VERBS)} {topic}: lessons from session {index + 1}",
                "kind": rng.choice(["talk", "talk", "talk", "panel", "workshop"]),
                "track": tracks[(day * rooms_needed + room) % len(tracks)]["slug"],
                "room": rooms[room]["slug"],
                "date": (start + timedelta(days=day)).isoformat(),
                "start": f"{minute // 60:02d}:{minute % 60:02d}",
                "end": f"{(minute + 45) // 60:02d}:{(minute + 45) % 60:02d}",
                "speakers": [
                    f"person-{(index * 7 + k) % people + 1}" for k in range(1 + index % 2)
                ],
                "abstract": f"What we learnt about **{topic}** the hard way, "
                f"in {rng.randint(3, 9)} "
                "short stories and one long one.",
            }
        )
    return {
        "conference": {
            "slug": slug,
            "name": f"Synthetic Conf ({sessions} sessions)",
            "timezone": "Europe/Berlin",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=days - 1)).isoformat(),
            "venue": "Congress Centre",
            "address": "",
            "url": "",
        },
        "floors": [{"slug": f"level-{n}", "name": f"Level {n}", "level": n} for n in range(3)],
        "rooms": rooms,
        "speakers": speakers,
        "tracks": tracks,
        "sessions": talks,
    }
