"""The page store (issue 15): each revision's public pages rendered once into the database, the
whole copy in one bundle, and the changes between two revisions as patches a phone applies to
the pages it holds."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.caching import STORE_KEY
from companion.offline import delta
from companion.offline.models import PageBody, PageRevision
from companion.offline.render import render_revision
from companion.programme.models import Conference, Talk, Track

LIST = "/api/v1/conferences/testconf/offline"
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def programme(make_conference, make_talk) -> dict[str, Any]:
    conference = make_conference()
    talks = [
        make_talk(
            conference,
            f"Talk {n}",
            start=f"1{n}:00",
            end=f"1{n}:50",
            room=("Fleming", "Whittle")[n % 2],
            track=("Streams", "APIs")[n % 2],
            speakers=(f"Speaker {n}",),
        )
        for n in range(4)
    ]
    return {"conference": conference, "talks": talks}


def _bodies(client: FlaskClient, urls: Any) -> dict[str, str]:
    return {url: client.get(url).get_data(as_text=True) for url in urls}


def _revision(dbs: Session, conference_id: int) -> list[PageRevision]:
    dbs.expire_all()
    return list(
        dbs.execute(select(PageRevision).where(PageRevision.conference_id == conference_id))
        .scalars()
        .all()
    )


def test_a_revision_is_rendered_once_and_its_pages_are_served_from_the_store(
    client: FlaskClient, app: Flask, dbs: Session, programme: dict[str, Any]
) -> None:
    first = client.get("/testconf/tracks/")
    assert first.headers["Server-Timing"].startswith("render;dur=")  # not in the store yet
    listing = client.get(LIST).get_json()
    (row,) = _revision(dbs, programme["conference"].id)
    assert row.state == "complete" and row.rendered == len(listing["pages"])
    for url, etag in listing["pages"].items():
        page = client.get(url)
        assert page.headers["Server-Timing"] == "store", url
        assert page.headers["ETag"] == f'W/"{etag}"'
    assert client.get("/testconf/tracks/").get_data() == first.get_data()
    # Asked again (another worker, a later phone), nothing is rendered again.
    render_revision(app, programme["conference"].id)
    client.get(LIST)
    (again,) = _revision(dbs, programme["conference"].id)
    assert again.rendered == row.rendered and again.finished_at == row.finished_at


def test_two_renderers_at_once_render_the_revision_once(
    app: Flask, dbs: Session, programme: dict[str, Any]
) -> None:
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(render_revision(app, programme["conference"].id, wait=30))
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (row,) = _revision(dbs, programme["conference"].id)
    assert row.rendered == len(results[0].pages)
    assert all(result is not None and result.pages == results[0].pages for result in results)


def test_the_bundle_holds_every_page_as_it_is_served(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    response = client.get(LIST + "/bundle", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    bundle = json.loads(gzip.decompress(response.get_data()))
    listing = client.get(LIST).get_json()
    assert [page["url"] for page in bundle["pages"]] == list(listing["pages"])
    assert bundle["revision"] == listing["revision"]
    for page in bundle["pages"]:
        assert page["etag"] == listing["pages"][page["url"]]
        assert page["body"] == client.get(page["url"]).get_data(as_text=True), page["url"]
    again = client.get(LIST + "/bundle", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_changes_since_a_revision_turn_the_held_copy_into_the_new_one(
    client: FlaskClient, dbs: Session, programme: dict[str, Any], make_talk
) -> None:
    before = client.get(LIST).get_json()
    held = _bodies(client, before["pages"])
    moved, retitled, deleted = (dbs.get(Talk, t.id) for t in programme["talks"][:3])
    moved.start += timedelta(minutes=5)
    moved.end += timedelta(minutes=5)
    retitled.title = "A new title"
    dbs.delete(deleted)
    dbs.commit()
    added = make_talk(programme["conference"], "Brand new", start="16:00", end="16:30")
    track = dbs.execute(select(Track).where(Track.slug == "apis")).scalar_one()
    track.name = "APIs and protocols"
    dbs.commit()

    changes = client.get(LIST + f"/changes?since={before['revision']}").get_json()
    after = client.get(LIST).get_json()
    assert changes["revision"] == after["revision"] > before["revision"]
    assert changes["since"] == before["revision"]
    gone = f"/testconf/sessions/{deleted.guid}/"
    assert changes["removed"] == [gone]
    new = f"/testconf/sessions/{added.guid}/"
    assert "body" in changes["pages"][new]
    copy = {url: body for url, body in held.items() if url != gone}
    for url, change in changes["pages"].items():
        if "patch" in change:
            assert change["base"] == before["pages"][url]
            copy[url] = delta.apply(held[url], change["patch"])
            assert delta.sha256(copy[url]) == change["sha256"]
        else:
            copy[url] = change["body"]
        assert change["etag"] == after["pages"][url]
    # Page for page, the patched copy is what a fresh sync would hold.
    assert copy == _bodies(client, after["pages"])
    unchanged = [url for url in after["pages"] if before["pages"].get(url) == after["pages"][url]]
    assert unchanged and not set(unchanged) & set(changes["pages"])
    assert any("patch" in change for change in changes["pages"].values())
    # Held copies of unchanged pages still answer 304 to their ETag from before.
    for url in unchanged:
        etag = f'W/"{before["pages"][url]}"'
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    for url in set(changes["pages"]) - {new}:
        etag = f'W/"{before["pages"][url]}"'
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_changes_say_when_only_a_full_sync_will_do(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    revision = client.get(LIST).get_json()["revision"]
    same = client.get(LIST + f"/changes?since={revision}").get_json()
    assert same == {
        "revision": revision,
        "since": revision,
        "build": same["build"],
        "pages": {},
        "removed": [],
    }
    for query in (f"since={revision + 5}", "since=0", f"since={revision}&build=old"):
        answer = client.get(LIST + f"/changes?{query}").get_json()
        assert answer["full"] is True and answer["revision"] == revision, query
    for bad in ("", "?since=", "?since=-1", "?since=1e3", "?since=99999999999"):
        response = client.get(LIST + "/changes" + bad)
        assert response.status_code == 400
        assert "revision" in response.get_json()["error"]["message"]


def test_patches_rebuild_any_text(client: FlaskClient) -> None:
    old = '<p>a</p>\n<li>{"x": 1}</li>\nno end'
    for new in ("", old, old + "\n", '<p>b</p>\n<li>{"x": 2}</li>\n', "ünïcode › ∞ 🎉 }>\n"):
        assert delta.apply(old, delta.patch(old, new)) == new
        assert "".join(delta.tokens(new)) == new


def test_old_revisions_and_their_bodies_are_pruned(
    app: Flask, client: FlaskClient, dbs: Session, programme: dict[str, Any], monkeypatch
) -> None:
    from companion.offline import render

    monkeypatch.setattr(render, "REVISIONS_KEPT", 2)
    monkeypatch.setattr(render, "BODY_GRACE", timedelta(0))
    first = client.get(LIST).get_json()["revision"]
    talk = dbs.get(Talk, programme["talks"][0].id)
    for n in range(4):
        talk.title = f"Title {n}"
        dbs.commit()
        client.get(LIST)
    rows = _revision(dbs, programme["conference"].id)
    assert len(rows) == 2
    referred = {etag for row in rows for etag in json.loads(row.pages or "{}").values()}
    stored = {
        (etag, kind) for etag, kind in dbs.execute(select(PageBody.etag, PageBody.media_type))
    }
    pages = {etag for etag, kind in stored if kind not in (delta.BUNDLE_TYPE, delta.DELTA_TYPE)}
    assert pages == referred
    assert client.get(LIST + f"/changes?since={first}").get_json()["full"] is True
    newest = max(row.revision for row in rows)
    assert "full" not in client.get(LIST + f"/changes?since={newest - 1}").get_json()


def test_a_new_revision_is_rendered_in_the_background_after_the_commit(
    app: Flask, client: FlaskClient, dbs: Session, programme: dict[str, Any]
) -> None:
    app.config["RENDER_AFTER_EDIT"] = True
    client.get(LIST)
    with app.test_request_context():  # what a host's save does; a CLI command renders on demand
        from companion.db import session

        talk = session.get(Talk, programme["talks"][0].id)
        assert talk is not None
        talk.title = "Renamed"
        session.commit()
    app.extensions["companion.renderer"].wait()
    conference = dbs.execute(select(Conference)).scalar_one()
    dbs.refresh(conference)
    revisions = {row.revision for row in _revision(dbs, conference.id) if row.state == "complete"}
    assert conference.revision in revisions
    page = client.get(f"/testconf/sessions/{talk.guid}/")
    assert page.headers["Server-Timing"] == "store" and "Renamed" in page.text


def test_a_claim_whose_renderer_stopped_is_taken_over(
    app: Flask, dbs: Session, programme: dict[str, Any]
) -> None:
    from companion.db import utcnow

    conference = dbs.get(Conference, programme["conference"].id)
    assert conference is not None
    claim = PageRevision(
        conference_id=conference.id,
        build=app.config["BUILD_ID"],
        revision=conference.revision,
        heartbeat_at=utcnow(),
    )
    dbs.add(claim)
    dbs.commit()
    assert render_revision(app, conference.id) is None  # someone alive has it
    claim.heartbeat_at = utcnow() - timedelta(minutes=5)  # ... who then died
    dbs.commit()
    manifest = render_revision(app, conference.id, wait=5)
    assert manifest is not None and manifest.revision == conference.revision
    (row,) = _revision(dbs, conference.id)
    assert row.state == "complete" and row.rendered == len(manifest.pages)


def test_pruning_spares_what_a_render_in_progress_has_stored(
    app: Flask, client: FlaskClient, dbs: Session, programme: dict[str, Any]
) -> None:
    """Another process's render writes bodies before its manifest exists: a prune meanwhile
    (this process finishing the revision before) must not take them."""
    from companion.offline.render import _prune
    from companion.offline.store import Body, PageStore

    client.get(LIST)
    store: PageStore = app.extensions[STORE_KEY]
    conference_id = programme["conference"].id
    with app.app_context():
        store.write(conference_id, [Body("in-flight", "text/html", b"<p>half a render</p>")])
        _prune(store, conference_id)
    assert dbs.get(PageBody, (conference_id, "in-flight")) is not None


def test_two_builds_on_one_database_keep_each_others_pages(
    app: Flask, client: FlaskClient, programme: dict[str, Any], database_url: str
) -> None:
    """A rolling deploy: the old build and the new one render into one store; neither loses
    the other's pages or bundle."""
    from app import create_app

    client.get(LIST)
    other = create_app(dict(app.config))
    other.config["BUILD_ID"] = "the-next-build"
    assert other.test_client().get(LIST).get_json()["build"] == "the-next-build"
    for each in (app, other):
        each_client = each.test_client()
        listing = each_client.get(LIST).get_json()
        assert listing["build"] == each.config["BUILD_ID"]
        assert each_client.get(LIST + "/bundle").status_code == 200
        page = each_client.get("/testconf/tracks/")
        assert page.headers["Server-Timing"] == "store"
        assert page.headers["ETag"] == f'W/"{listing["pages"]["/testconf/tracks/"]}"'


def test_the_same_bytes_in_two_conferences_are_stored_for_each(
    app: Flask, dbs: Session, make_conference
) -> None:
    from companion.offline.store import Body, PageStore

    first = make_conference()
    second = make_conference(slug="nextconf", name="Next Conf")
    store: PageStore = app.extensions[STORE_KEY]
    with app.app_context():
        for conference in (first, second):
            store.write(conference.id, [Body("same-map", "image/svg+xml", b"<svg/>")])
    dbs.delete(dbs.get(Conference, first.id))
    dbs.commit()
    with app.app_context():
        assert store.read(second.id, ["same-map"])["same-map"].plain() == b"<svg/>"
