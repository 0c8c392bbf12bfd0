from __future__ import annotations

import json

from flask.testing import FlaskClient


def test_manifest_is_linked_and_complete(client: FlaskClient, make_conference) -> None:
    make_conference()
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert (manifest["display"], manifest["scope"], manifest["theme_color"]) == (
        "standalone",
        "/",
        "#0b4f9c",
    )
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    page = client.get("/testconf/").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'name="apple-mobile-web-app-capable" content="yes"' in page


def test_service_worker_is_served_from_the_root_and_stamped_with_the_build(
    app, client: FlaskClient
) -> None:
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert f'const BUILD = "{app.config["BUILD_ID"]}";' in response.text
    shell = json.loads(response.text.split("const SHELL = ")[1].split(";\n")[0])
    assert "/offline/" in shell
    for url in shell:
        assert client.get(url).status_code == 200


def test_offline_list_names_every_public_page(
    client: FlaskClient, make_conference, make_talk, queries
) -> None:
    conference = make_conference()
    talks = [
        make_talk(
            conference,
            f"T{n}",
            start=f"1{n}:00",
            end=f"1{n}:50",
            speakers=(f"Speaker {n}",),
            track="Track",
        )
        for n in range(3)
    ]
    response = client.get("/api/v1/conferences/testconf/offline")
    listing = response.get_json()
    assert isinstance(listing["revision"], int) and listing["revision"] >= 1
    urls = set(listing["pages"])
    assert {f"/testconf/sessions/{t.guid}/" for t in talks} <= urls
    assert {
        "/testconf/",
        "/testconf/programme/2020-03-02/",
        "/testconf/programme/2020-03-04/",
        "/testconf/speakers/speaker-0/",
        "/testconf/tracks/track/",
        "/testconf/rooms/fleming/",
        "/testconf/offline/search",
        "/api/v1/conferences/testconf/programme",
    } <= urls
    with queries() as statements:
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            assert page.headers["ETag"] == f'W/"{listing["pages"][url]}"', url
    # Every page comes from the page store: its revision's stamp, then one read of its body
    # (a map file's view looks its floor up first); nothing is rendered again.
    assert not [s for s in statements if "FROM talks" in s]
    assert len(statements) <= 2 * len(urls) + 8
    etag = response.headers["ETag"]
    again = client.get("/api/v1/conferences/testconf/offline", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_offline_fallback_page(client: FlaskClient) -> None:
    page = client.get("/offline/")
    assert page.status_code == 200 and "You are offline" in page.text


def test_offline_search_page_searches_the_saved_programme(
    client: FlaskClient, make_conference
) -> None:
    make_conference()
    page = client.get("/testconf/offline/search")
    assert page.status_code == 200
    assert (
        "data-offline>" in page.text
        and 'data-programme="/api/v1/conferences/testconf/programme"' in page.text
    )
    assert "/static/js/search.js" in page.text and "/static/vendor/minisearch.js" in page.text
    assert 'href="/testconf/programme/2020-03-02/"' in page.text
