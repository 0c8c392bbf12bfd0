"""Search on the server, on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm): ranking,
sections, typos, prefixes, highlighting, accents, bad queries, and the index following every
kind of change."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from companion.programme.models import Speaker, Talk, TalkSpeaker, Track
from companion.search.models import SearchDocument
from companion.search.text import Term, highlight, normalise, terms


def _titles(page: str) -> list[str]:
    """The session titles of a results page, marks removed, in order."""
    return [
        re.sub(r"</?mark>", "", part.split("</a>")[0].split('">', 1)[-1])
        for part in page.split('class="talk-title">')[1:]
    ]


def _api(client: FlaskClient, query: str) -> dict:
    response = client.get("/api/v1/conferences/testconf/search", query_string={"q": query})
    assert response.status_code == 200, response.text
    return response.json


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Café-Ops!  Über_all ") == "cafe ops uber all"


def test_terms_match_the_last_word_as_a_prefix() -> None:
    assert terms("Kafka MICROS") == [Term("kafka"), Term("micros", prefix=True)]


def test_highlight_escapes_everything_but_its_marks() -> None:
    found = [Term("script", prefix=True)]
    assert str(highlight("<script>alert('x')</script> & Scripting", found)) == (
        "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; "
        "<mark>Scripting</mark>"
    )


def test_search_ranks_title_above_speaker_above_track_above_abstract(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Gardening", abstract="A word on kafka.", start="09:00", end="09:50")
    make_talk(conference, "Streams", track="Kafka land", start="10:00", end="10:50")
    make_talk(conference, "Logs", speakers=("Ann Kafka",), start="11:00", end="11:50")
    make_talk(conference, "Kafka in production", start="12:00", end="12:50")
    make_talk(conference, "Unrelated", start="13:00", end="13:50")
    assert _titles(client.get("/testconf/search?q=kafka").text) == [
        "Kafka in production",
        "Logs",
        "Streams",
        "Gardening",
    ]


def test_search_lists_speakers_called_sam_first(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Modular monoliths", speakers=("Sam Newman",))
    make_talk(conference, "Samba for ops", speakers=("Jo Bloggs",), start="11:00", end="11:50")
    make_talk(conference, "Teams", speakers=("Samantha Cole",), start="12:00", end="12:50")
    answer = _api(client, "Sam")
    assert [s["name_html"] for s in answer["speakers"]] == [
        "<mark>Sam</mark> Newman",
        "<mark>Samantha</mark> Cole",
    ]
    modular = next(s for s in answer["sessions"] if s["title_html"] == "Modular monoliths")
    assert answer["speakers"][0]["sessions"] == [
        {"url": modular["url"], "title": "Modular monoliths"}
    ]
    page = client.get("/testconf/search?q=Sam").text
    assert page.index('id="found-speakers"') < page.index('id="found-sessions"')
    assert (
        '<a class="search-hit-title" href="/testconf/speakers/sam-newman/"><mark>Sam</mark>' in page
    )


def test_search_finds_tracks(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    make_talk(conference, "Likes", track="Streaming Data")
    answer = _api(client, "stream")
    assert [t["name_html"] for t in answer["tracks"]] == ["<mark>Streaming</mark> Data"]
    assert [s["title_html"] for s in answer["sessions"]] == ["Likes"]


def test_search_forgives_a_typo_and_says_what_it_searched(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Microservices at scale")
    make_talk(conference, "Monoliths", start="11:00", end="11:50")
    answer = _api(client, "microservises")
    assert answer["corrected"] == "microservices"
    assert [s["title_html"] for s in answer["sessions"]] == ["<mark>Microservices</mark> at scale"]
    page = client.get("/testconf/search?q=microservises").text
    assert "Showing results for “<strong>microservices</strong>”" in page


def test_search_matches_the_last_word_as_a_prefix(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Microservices at scale")
    answer = _api(client, "micros")
    assert answer["corrected"] is None
    assert [s["title_html"] for s in answer["sessions"]] == ["<mark>Microservices</mark> at scale"]


def test_search_page_escapes_titles(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    make_talk(conference, "<img src=x onerror=alert(1)> hacks")
    page = client.get("/testconf/search?q=hacks").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>hacks</mark>" in page


def test_search_ignores_accents_both_ways(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    make_talk(conference, "Café culture", speakers=("José Müller",))
    assert _titles(client.get("/testconf/search?q=cafe").text) == ["Café culture"]
    assert [s["name_html"] for s in _api(client, "MÜLLER")["speakers"]] == [
        "José <mark>Müller</mark>"
    ]
    assert _titles(client.get("/testconf/search?q=josé").text) == ["Café culture"]


def test_empty_and_punctuation_queries_find_nothing(client: FlaskClient, make_conference) -> None:
    make_conference()
    page = client.get("/testconf/search?q=").text
    assert 'role="search"' in page and "search-status" not in page
    assert _api(client, "  !!! ")["sessions"] == []
    assert "Nothing found for" in client.get("/testconf/search?q=%22%2A").text


def test_overlong_or_control_character_queries_are_refused(
    client: FlaskClient, make_conference
) -> None:
    make_conference()
    page = client.get("/testconf/search", query_string={"q": "x" * 201})
    assert page.status_code == 400 and "at most 200 characters" in page.text
    api = client.get("/api/v1/conferences/testconf/search", query_string={"q": "a\x01b"})
    assert api.status_code == 400
    assert "cannot be searched for" in api.json["error"]["message"]
    for control in ("\x7f", "\x9b"):  # DEL and a C1 control: the same rule as every text field
        answer = client.get("/testconf/search", query_string={"q": f"a{control}b"})
        assert answer.status_code == 400, control


def test_search_follows_an_edit(client: FlaskClient, make_conference, make_talk, dbs) -> None:
    conference = make_conference()
    talk = make_talk(conference, "Old title", speakers=("Ann Lee",))
    assert _titles(client.get("/testconf/search?q=old").text) == ["Old title"]
    talk.title = "New title"
    dbs.commit()
    assert _titles(client.get("/testconf/search?q=old").text) == []
    assert _titles(client.get("/testconf/search?q=new").text) == ["New title"]
    speaker = dbs.execute(select(Speaker)).scalar_one()
    speaker.name = "Ann Zed"
    dbs.commit()
    assert _titles(client.get("/testconf/search?q=zed").text) == ["New title"]
    assert _titles(client.get("/testconf/search?q=lee").text) == []


def test_search_follows_a_delete(client: FlaskClient, make_conference, make_talk, dbs) -> None:
    conference = make_conference()
    talk = make_talk(conference, "Doomed talk", track="Doom")
    dbs.delete(dbs.get(Talk, talk.id))
    dbs.commit()
    assert _api(client, "doomed")["sessions"] == []
    dbs.delete(dbs.execute(select(Track)).scalar_one())
    dbs.commit()
    assert _api(client, "doom")["tracks"] == []
    assert dbs.execute(select(SearchDocument.kind)).scalars().all() == []


def test_search_follows_a_bulk_delete_of_speaker_links(
    client: FlaskClient, make_conference, make_talk, dbs
) -> None:
    conference = make_conference()
    talk = make_talk(conference, "Panel", speakers=("Ann Lee",))
    dbs.execute(delete(TalkSpeaker).where(TalkSpeaker.talk_id == talk.id))
    dbs.commit()
    assert _api(client, "lee")["sessions"] == []
    assert [s["name_html"] for s in _api(client, "lee")["speakers"]] == ["Ann <mark>Lee</mark>"]


def test_search_results_are_a_function_of_the_revision(
    app: Flask, client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "Kafka")
    first = client.get("/api/v1/conferences/testconf/search?q=kafka")
    assert first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(
        "/api/v1/conferences/testconf/search?q=kafka",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_whole_word_ranks_above_longer_words_it_begins(
    client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    make_talk(conference, "One", speakers=("Samira Benali",))
    make_talk(conference, "Two", speakers=("Sam Whitfield",), start="11:00", end="11:50")
    assert [s["name_html"] for s in _api(client, "sam")["speakers"]] == [
        "<mark>Sam</mark> Whitfield",
        "<mark>Samira</mark> Benali",
    ]
