from __future__ import annotations

import gzip

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from companion.programme.models import Talk


@pytest.fixture
def programme(make_conference, make_talk, make_host, dbs: Session) -> dict[str, Talk]:
    """A small day: a keynote, two parallel talks in two tracks, a break, and a cancelled talk."""
    conference = make_conference()
    talks = {
        "keynote": make_talk(
            conference,
            "Opening Keynote",
            start="09:00",
            end="09:50",
            kind="keynote",
            room="Churchill",
            speakers=("Katie Gamanji",),
        ),
        "streams": make_talk(
            conference,
            "Streaming a Million Likes/Second",
            start="10:00",
            end="10:50",
            room="Fleming",
            track="Streaming Data",
            speakers=("Akhilesh Gupta",),
            abstract="Real-time *likes* over [SSE](https://example.org).",
        ),
        "apis": make_talk(
            conference,
            "Smart APIs",
            start="10:00",
            end="10:50",
            room="Whittle",
            track="Future of the API",
            speakers=("Bernd Ruecker",),
        ),
        "break": make_talk(
            conference, "Coffee", start="10:50", end="11:10", kind="break", room="Foyer"
        ),
        "cancelled": make_talk(
            conference,
            "Gone Talk",
            start="11:10",
            end="12:00",
            room="Fleming",
            track="Streaming Data",
            status="cancelled",
        ),
    }
    streams = talks["streams"]
    make_host(streams.track, _speaker(dbs, "akhilesh-gupta"))
    return talks


def _speaker(dbs: Session, slug: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from companion.programme.models import Speaker

    return dbs.execute(select(Speaker).where(Speaker.slug == slug)).scalar_one()


def test_root_redirects_to_the_current_conference(client: FlaskClient, programme) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/testconf/"


def test_root_without_conferences_says_so(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No conference yet" in response.text


def test_day_page_puts_parallel_sessions_in_one_row(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/programme/2020-03-02/").text
    assert page.count("data-slot") == 4
    ten = page.split('<tr id="t-1000"')[1].split("</tr>")[0]
    assert "Streaming a Million Likes/Second" in ten and "Smart APIs" in ten
    assert "Fleming" in ten and "Streaming Data" in ten
    assert "London time (GMT)" in page


def test_day_filter_by_track_hides_others_without_js(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/programme/2020-03-02/?track=streaming-data").text
    cards = page.split('<article class="card talk')[1:]
    visible = [c for c in cards if " hidden>" not in c.split(">")[0] + ">"]
    titles = [c.split('class="talk-title">')[1].split("</a>")[0] for c in visible]
    assert [t.split(">")[-1] for t in titles] == ["Streaming a Million Likes/Second", "Gone Talk"]


def test_day_filter_by_kind(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/programme/2020-03-02/?kind=keynote").text
    cards = page.split('<article class="card talk')[1:]
    assert sum(1 for c in cards if " hidden>" not in c.split(">")[0] + ">") == 1


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/testconf/programme/2020-13-45/", 400, "is not a date"),
        ("/testconf/programme/yesterday/", 400, "is not a date"),
        ("/testconf/programme/2020-03-09/", 404, "has no programme on 2020-03-09"),
        ("/testconf/programme/2020-03-02/?kind=party", 400, "is not a kind of session"),
        ("/testconf/programme/2020-03-02/?track=nope", 400, "There is no track called"),
        ("/nope/", 404, "There is no conference called"),
        ("/testconf/sessions/00000000-0000-0000-0000-000000000000/", 404, "no such session"),
        ("/testconf/tracks/nope/", 404, "no track called"),
        ("/testconf/speakers/nope/", 404, "no speaker called"),
        ("/testconf/rooms/nope/", 404, "no room called"),
        ("/testconf/search?q=" + "x" * 201, 400, "at most 200 characters"),
    ],
)
def test_bad_urls_get_a_clear_4xx_page(
    client: FlaskClient, programme, url: str, status: int, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert message in response.text
    assert "<!doctype html>" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/testconf/programme/%00/",
        "/testconf/sessions/%F0%9F%92%A5/",
        "/%E2%80%AE/",
        "/testconf/speakers/..%2F..%2Fetc/",
        "/testconf/search?q=%00",
        "/testconf/search?q=%27%22%3Cscript%3E",
        "/testconf/programme/2020-03-02/?track=%00",
        "/testconf/programme/99999-01-01/",
        "/testconf/rooms/" + "a" * 5000 + "/",
        "/testconf/programme/2020-03-02/?kind=" + "k" * 3000,
    ],
)
def test_nothing_in_the_url_causes_a_500(client: FlaskClient, programme, path: str) -> None:
    assert client.get(path).status_code < 500


def test_session_page_shows_when_where_who(client: FlaskClient, programme) -> None:
    talk = programme["streams"]
    page = client.get(f"/testconf/sessions/{talk.guid}/").text
    assert '<h1 class="page-title">Streaming a Million Likes/Second</h1>' in page
    assert "Monday 2 March" in page and ">10:00</time>–<time" in page and "50 min" in page
    assert "Akhilesh Gupta" in page and "Fleming" in page
    assert "Real-time <em>likes</em>" in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_cancelled_session_says_so(client: FlaskClient, programme) -> None:
    page = client.get(f"/testconf/sessions/{programme['cancelled'].guid}/").text
    assert "This session will not take place." in page


def test_abstracts_are_sanitised(client: FlaskClient, make_conference, make_talk) -> None:
    conference = make_conference()
    evil = make_talk(
        conference,
        "Evil",
        abstract=(
            "<script>alert(1)</script><img src=x onerror=alert(2)>"
            "[click](javascript:alert(3)) <iframe src=//evil></iframe>"
            '<a href="https://ok.example" onclick="alert(4)">ok</a>'
        ),
    )
    page = client.get(f"/testconf/sessions/{evil.guid}/").text
    body = page.split('<div class="prose">')[1].split("</div>")[0]
    for bad in ("<script", "onerror", 'href="javascript', "<iframe", "onclick", "<img"):
        assert bad not in body
    assert 'href="https://ok.example"' in body


def test_track_page_shows_host_introduction_and_sessions(
    client: FlaskClient, programme, dbs: Session
) -> None:
    track = programme["streams"].track
    track.introduction = "Welcome to **streams**."
    dbs.commit()
    page = client.get("/testconf/tracks/streaming-data/").text
    assert "Track host" in page and "Akhilesh Gupta" in page
    assert "Welcome to <strong>streams</strong>." in page
    assert page.index("Streaming a Million") < page.index("Gone Talk")


def test_tracks_page_lists_tracks_with_counts(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/tracks/").text
    assert "Streaming Data" in page and "2 sessions" in page and "Host: Akhilesh Gupta" in page
    assert "Future of the API" in page and "1 session ·" in page


def test_speakers_page_and_speaker_page(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/speakers/").text
    assert page.index("Akhilesh Gupta") < page.index("Bernd Ruecker") < page.index("Katie")
    person = client.get("/testconf/speakers/akhilesh-gupta/").text
    assert "Streaming a Million Likes/Second" in person
    assert "Hosts" in person and "Streaming Data" in person


def test_rooms_page_lists_rooms(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/rooms/").text
    for name in ("Churchill", "Fleming", "Whittle", "Foyer"):
        assert name in page


def test_pages_answer_304_when_unchanged(client: FlaskClient, programme) -> None:
    first = client.get("/testconf/programme/2020-03-02/")
    etag = first.headers["ETag"]
    again = client.get("/testconf/programme/2020-03-02/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_an_edit_changes_the_etag_and_the_page(
    client: FlaskClient, programme, dbs: Session
) -> None:
    url = "/testconf/programme/2020-03-02/"
    first = client.get(url)
    programme["apis"].title = "Smarter APIs"
    dbs.commit()
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert "Smarter APIs" in second.text
    assert second.headers["ETag"] != first.headers["ETag"]


def test_pages_are_gzipped_for_clients_that_accept_it(client: FlaskClient, programme) -> None:
    response = client.get("/testconf/programme/2020-03-02/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Smart APIs" in gzip.decompress(response.data).decode()


def test_pages_carry_security_headers(client: FlaskClient, programme) -> None:
    response = client.get("/testconf/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_versioned_and_long_lived(client: FlaskClient, programme) -> None:
    page = client.get("/testconf/").text
    css_url = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in css_url
    assert "max-age=31536000" in client.get(css_url).headers["Cache-Control"]
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/%00/",
        "/testconf/sessions/%00/",
        "/testconf/tracks/%00/",
        "/testconf/speakers/%00/",
        "/testconf/rooms/%00/",
        "/api/v1/conferences/%00/programme",
        "/testconf/search?q=a%00b",
    ],
)
def test_nul_bytes_are_refused_before_they_reach_the_database(
    client: FlaskClient, programme, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "cannot be used" in response.text


def test_weak_etags_from_proxies_still_get_304(client: FlaskClient, programme) -> None:
    etag = client.get("/testconf/tracks/").headers["ETag"]
    assert etag.startswith('W/"')
    strong = etag.removeprefix("W/")
    assert client.get("/testconf/tracks/", headers={"If-None-Match": strong}).status_code == 304
    assert client.get("/testconf/tracks/", headers={"If-None-Match": etag}).status_code == 304


def test_star_etag_does_not_hide_a_404(client: FlaskClient, programme) -> None:
    headers = {"If-None-Match": "*"}
    assert client.get("/testconf/sessions/nope/", headers=headers).status_code == 404
    assert client.get("/testconf/programme/2020-01-01/", headers=headers).status_code == 404


def test_if_modified_since_is_honoured_only_for_settled_pages(
    app: Flask, client: FlaskClient, programme, dbs: Session
) -> None:
    from datetime import datetime

    from sqlalchemy import update

    from companion.programme.models import Conference

    app.config["STARTED_AT"] = app.config["STARTED_AT"].replace(year=2000)
    # A programme last changed long ago has settled (instead of sleeping past the second in
    # which a fresh edit sends no date). A Core statement on the connection: no revision bump.
    long_ago = datetime.fromisoformat("2020-03-01T09:00:00+00:00")
    dbs.connection().execute(update(Conference.__table__).values(updated_at=long_ago))
    dbs.commit()
    stamp = client.get("/testconf/tracks/").headers["Last-Modified"]
    assert stamp == "Sun, 01 Mar 2020 09:00:00 GMT"
    assert client.get("/testconf/tracks/", headers={"If-Modified-Since": stamp}).status_code == 304
    programme["apis"].title = "Renamed"
    dbs.commit()
    assert client.get("/testconf/tracks/", headers={"If-Modified-Since": stamp}).status_code == 200
    # The default day depends on the clock, so it never answers If-Modified-Since.
    assert "Last-Modified" not in client.get("/testconf/programme/").headers


def test_static_files_with_a_stale_hash_must_revalidate(client: FlaskClient, programme) -> None:
    response = client.get("/static/css/app.css?v=0123456789ab")
    assert response.headers["Cache-Control"] == "no-cache"


def test_non_canonical_dates_are_refused(client: FlaskClient, programme) -> None:
    assert client.get("/testconf/programme/2020-W10-1/").status_code == 400
    assert client.get("/testconf/programme/20200302/").status_code == 400


def test_tracks_page_is_well_formed_before_any_session_is_placed(
    client: FlaskClient, make_conference, dbs: Session
) -> None:
    from companion.programme.models import Track

    conference = make_conference()
    dbs.add(Track(conference_id=conference.id, slug="empty", name="Empty Track"))
    dbs.commit()
    page = client.get("/testconf/tracks/").text
    assert page.count("<ul") == page.count("</ul>") == 1
    assert "Not scheduled yet" in page


def test_zone_label_follows_daylight_saving(
    client: FlaskClient, make_conference, make_talk
) -> None:
    from datetime import date

    conference = make_conference(start_date=date(2020, 3, 27), end_date=date(2020, 3, 30))
    make_talk(conference, "After the change", day=date(2020, 3, 30), start="08:00", end="08:50")
    page = client.get("/testconf/programme/2020-03-30/").text
    assert "London time (BST)" in page
    assert ">09:00</time>" in page  # 08:00 UTC is 09:00 BST
    assert "London time (GMT)" in client.get("/testconf/programme/2020-03-27/").text


def test_root_uses_the_conferences_own_day(
    app: Flask, client: FlaskClient, make_conference
) -> None:
    from datetime import date

    make_conference(
        slug="la",
        timezone="America/Los_Angeles",
        start_date=date(2020, 3, 2),
        end_date=date(2020, 3, 4),
    )
    make_conference(slug="later", start_date=date(2020, 6, 1), end_date=date(2020, 6, 3))
    app.config["FIXED_NOW"] = "2020-03-05T04:00:00+00:00"  # 20:00 on 4 March in Los Angeles
    assert client.get("/").headers["Location"] == "/la/"


def test_no_js_filter_hides_empty_slots_and_says_when_nothing_matches(
    client: FlaskClient, programme
) -> None:
    page = client.get("/testconf/programme/2020-03-02/?kind=panel").text
    rows = [row.split(">")[0] for row in page.split("<tr id=")[1:]]
    slots = [row for row in rows if "data-slot" in row]
    assert len(slots) == 4
    assert all(row.endswith(" data-slot hidden") for row in slots)
    assert [row for row in rows if row not in slots] == [
        '"t-0950" role="row" style="--minutes: 10" class="grid-gap"'
    ]  # the gap between the keynote and 10:00: no sessions, nothing to hide, a row all the same
    assert '<p class="empty" data-filter-empty>' in page
    keynote_only = client.get("/testconf/programme/2020-03-02/?kind=keynote").text
    assert '<p class="empty" data-filter-empty hidden>' in keynote_only


def test_an_edit_changes_the_etag_of_only_the_pages_it_changed(
    client: FlaskClient, programme, dbs: Session
) -> None:
    """Issue 15: validators follow a page's bytes, not the conference's revision, so after an
    edit an unchanged page still answers 304 to the ETag it had (a browser's plain
    revalidation and the offline copy fetch nothing), and a changed one answers 200."""
    keynote = f"/testconf/sessions/{programme['keynote'].guid}/"
    apis = f"/testconf/sessions/{programme['apis'].guid}/"
    speakers = "/testconf/speakers/"
    before = {url: client.get(url).headers["ETag"] for url in (keynote, apis, speakers)}
    programme["apis"].title = "Smarter APIs"
    dbs.commit()
    for url in (keynote, speakers):
        unchanged = client.get(url, headers={"If-None-Match": before[url]})
        assert unchanged.status_code == 304, url
        assert unchanged.headers["ETag"] == before[url]
    changed = client.get(apis, headers={"If-None-Match": before[apis]})
    assert changed.status_code == 200
    assert "Smarter APIs" in changed.text
    assert changed.headers["ETag"] != before[apis]


def test_now_redirects_to_the_current_slot_of_today(
    app: Flask, client: FlaskClient, programme
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T10:30:00+00:00"
    response = client.get("/testconf/now")
    assert response.status_code == 302
    assert response.headers["Location"] == "/testconf/programme/2020-03-02/#t-1000"
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    page = client.get("/testconf/programme/2020-03-02/").text
    assert '<tr id="t-1000" role="row"' in page  # the fragment names a row of the page


def test_now_between_sessions_goes_to_the_next_slot(
    app: Flask, client: FlaskClient, programme
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T09:55:00+00:00"
    assert client.get("/testconf/now").headers["Location"].endswith("/2020-03-02/#t-1000")


def test_now_before_the_conference_is_the_first_day(
    app: Flask, client: FlaskClient, programme
) -> None:
    app.config["FIXED_NOW"] = "2020-02-20T10:30:00+00:00"
    response = client.get("/testconf/now")
    assert response.status_code == 302
    assert response.headers["Location"] == "/testconf/programme/2020-03-02/"


def test_now_after_the_conference_or_the_day_is_that_day_without_a_slot(
    app: Flask, client: FlaskClient, programme
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T12:30:00+00:00"  # the day's last session has ended
    assert client.get("/testconf/now").headers["Location"] == "/testconf/programme/2020-03-02/"
    app.config["FIXED_NOW"] = "2020-03-09T10:30:00+00:00"
    assert client.get("/testconf/now").headers["Location"] == "/testconf/programme/2020-03-04/"


def test_now_of_an_unknown_conference_is_not_found(client: FlaskClient) -> None:
    response = client.get("/nope/now")
    assert response.status_code == 404
