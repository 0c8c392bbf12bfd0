"""Links of sessions and speakers: the one URL rule, their order, one owner each, and that a
speaker's link is programme data (the revision moves). A session's link edited by a host, with
its live event, is in tests/hosting/test_links.py."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from companion.programme.links import (
    Link,
    LinkError,
    LinkInput,
    clean_url,
    in_order,
    link_input,
    speaker_kind,
)
from companion.programme.models import Conference


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://example.org/slides.pdf", "https://example.org/slides.pdf"),
        ("  HTTPS://Example.ORG  ", "https://example.org/"),
        ("http://example.org:80/a?b=c#d", "http://example.org/a?b=c#d"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://[2001:db8::1]/v", "https://[2001:db8::1]/v"),
        ("https://bücher.example/", "https://bücher.example/"),
    ],
)
def test_clean_url_keeps_web_addresses_normalised(raw: str, stored: str) -> None:
    assert clean_url(raw) == stored


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("javascript:alert(1)", "Only http:// and https://"),
        ("data:text/html,<script>", "Only http:// and https://"),
        ("ftp://example.org/x", "Only http:// and https://"),
        ("//example.org/x", "Only http:// and https://"),
        ("/attachments/slides.pdf", "Only http:// and https://"),
        ("https://", "needs a site"),
        ("https://exa mple.org/", "spaces or control characters"),
        ("https://example.org/\x00", "spaces or control characters"),
        ("https://example.org/a\u0085b", "spaces or control characters"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://example.org:99999/", "not a web address"),
        ("https://example.org/" + "a" * 2000, "at most 2,000 characters"),
        ("", "Enter the link's address"),
    ],
)
def test_clean_url_refuses_anything_else_saying_why(raw: str, says: str) -> None:
    with pytest.raises(LinkError) as refused:
        clean_url(raw)
    assert says in refused.value.message


def test_kinds_belong_to_their_owner() -> None:
    assert link_input("slides", "https://a.example/", owner="session").kind == "slides"
    with pytest.raises(LinkError, match="session's link is one of"):
        link_input("github", "https://github.com/ada", owner="session")
    with pytest.raises(LinkError, match="speaker's link is one of"):
        link_input("slides", "https://a.example/", owner="speaker")
    with pytest.raises(LinkError, match="title can be at most 200"):
        link_input("other", "https://a.example/", "x" * 201, owner="session")


def test_session_links_are_kept_in_kind_order_each_kind_as_given_and_once() -> None:
    other = LinkInput("other", "https://blog.example/")
    stream = LinkInput("stream", "https://live.example/")
    slides_a = LinkInput("slides", "https://a.example/")
    slides_b = LinkInput("slides", "https://b.example/")
    recording = LinkInput("recording", "https://video.example/")
    given = [other, stream, slides_a, recording, slides_b, slides_a]
    assert in_order(given) == [slides_a, slides_b, recording, stream, other]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/ada", "github"),
        ("https://www.linkedin.com/in/ada", "linkedin"),
        ("https://mastodon.social/@ada", "mastodon"),
        ("https://hachyderm.io/@ada/1234", "mastodon"),
        ("https://medium.com/@ada", "website"),
        ("https://ada.example/", "website"),
    ],
)
def test_a_speakers_link_is_named_by_where_it_leads(url: str, kind: str) -> None:
    assert speaker_kind(url) == kind


def test_a_link_has_exactly_one_owner(dbs: Session, make_conference, make_talk) -> None:
    conference = make_conference()
    talk = make_talk(conference, speakers=("Ada",))
    speaker_id = talk.speaker_links[0].speaker_id
    dbs.add(
        Link(
            conference_id=conference.id,
            talk_id=talk.id,
            speaker_id=speaker_id,
            kind="slides",
            url="https://a.example/",
            title="",
            position=0,
        )
    )
    with pytest.raises(IntegrityError):
        dbs.flush()
    dbs.rollback()


def test_a_speaker_link_moves_the_revision(dbs: Session, make_conference, make_talk) -> None:
    conference = make_conference()
    talk = make_talk(conference, speakers=("Ada",))
    before = dbs.get(Conference, conference.id).revision  # type: ignore[union-attr]
    dbs.add(
        Link(
            conference_id=conference.id,
            speaker_id=talk.speaker_links[0].speaker_id,
            kind="github",
            url="https://github.com/ada",
            title="",
            position=0,
        )
    )
    dbs.commit()
    dbs.expire_all()
    assert dbs.get(Conference, conference.id).revision == before + 1  # type: ignore[union-attr]
