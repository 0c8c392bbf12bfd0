from __future__ import annotations

from flask import Flask

from tests.conftest import SAME_ORIGIN


def test_one_time_link_opens_the_same_guest_schedule(
    app: Flask, make_conference, make_talk
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T09:00:00+00:00"
    talk = make_talk(make_conference())
    phone, laptop = app.test_client(), app.test_client()
    phone.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)
    page = phone.post("/testconf/my/link", headers=SAME_ORIGIN)
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code
    link = page.text.split('id="device-link" class="copy-field" type="text" readonly value="')[1]
    path = "/" + link.split('"')[0].split("/", 3)[3]
    assert laptop.get(path).status_code == 200  # a preview only asks
    assert laptop.get("/api/v1/me").get_json()["stars"] == []
    assert laptop.post(path, headers=SAME_ORIGIN).status_code == 302
    assert laptop.get("/api/v1/me").get_json()["stars"] == [talk.guid]
    again = app.test_client().post(path, headers=SAME_ORIGIN)
    assert again.status_code == 404
    assert "expired or was already used" in again.text


def test_device_link_expires_after_15_minutes(app: Flask, make_conference, make_talk) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T09:00:00+00:00"
    make_conference()
    phone = app.test_client()
    page = phone.post("/testconf/my/link", headers=SAME_ORIGIN).text
    link = page.split('readonly value="')[1].split('"')[0]
    app.config["FIXED_NOW"] = "2020-03-02T09:15:01+00:00"
    late = app.test_client().post("/" + link.split("/", 3)[3], headers=SAME_ORIGIN)
    assert late.status_code == 404
