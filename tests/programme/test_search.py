from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from companion.programme.search import normalise


def _titles(page: str) -> list[str]:
    return [part.split("</a>")[0].split(">")[-1] for part in page.split('class="talk-title">')[1:]]


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Café-Ops!  Über ") == "cafe ops uber"


def test_search_ranks_title_above_abstract(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    make_talk(
        conference,
        "Databases at scale",
        abstract="We talk about Kafka a little.",
        start="09:00",
        end="09:50",
    )
    make_talk(conference, "Kafka in production", start="11:00", end="11:50")
    make_talk(conference, "Gardening", start="12:00", end="12:50")
    assert _titles(client.get("/testconf/search?q=kafka").text) == [
        "Kafka in production",
        "Databases at scale",
    ]


def test_search_finds_speakers_and_tracks(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    make_talk(conference, "Modular monoliths", speakers=("Sam Newman",))
    make_talk(conference, "Likes", track="Streaming Data", start="11:00", end="11:50")
    assert _titles(client.get("/testconf/search?q=newman").text) == ["Modular monoliths"]
    assert _titles(client.get("/testconf/search?q=streaming").text) == ["Likes"]


def test_search_needs_every_word_and_ignores_accents(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Café culture in ops teams")
    make_talk(conference, "Ops without coffee", start="11:00", end="11:50")
    assert _titles(client.get("/testconf/search?q=CAFE+ops").text) == ["Café culture in ops teams"]


def test_empty_search_shows_the_form_only(client: FlaskClient, make_conference) -> None:
    make_conference()
    page = client.get("/testconf/search?q=").text
    assert 'role="search"' in page and "found for" not in page


def test_search_sees_edits_at_once(
    app: Flask, client: FlaskClient, make_conference, make_talk, dbs
) -> None:
    conference = make_conference()
    talk = make_talk(conference, "Old title")
    assert _titles(client.get("/testconf/search?q=old").text) == ["Old title"]
    talk.title = "New title"
    dbs.commit()
    assert _titles(client.get("/testconf/search?q=old").text) == []
    assert _titles(client.get("/testconf/search?q=new").text) == ["New title"]
