"""The programme day page stays light: under 60 KB gzipped with its CSS and JavaScript."""

from __future__ import annotations

import gzip
import re

from flask import Flask

BUDGET = 60 * 1024


def test_demo_day_page_with_assets_is_under_60_kb_gzipped(app: Flask, runner) -> None:
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    client = app.test_client()
    page = client.get(
        "/qcon-london-2020/programme/2020-03-02/", headers={"Accept-Encoding": "gzip"}
    )
    assert page.headers["Content-Encoding"] == "gzip"
    total = len(page.data)
    html = gzip.decompress(page.data).decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg)\?v=[^"]+)"', html)
    assert {a.split("?")[0] for a in assets} == {
        "/static/css/app.css",
        "/static/css/programme.css",
        "/static/js/day.js",
        "/static/js/app.js",
        "/static/js/zone.js",
        "/static/js/now.js",
        "/static/js/offline.js",
        "/static/js/live.js",
        "/static/js/live-page.js",
        "/static/icons/icon.svg",
    }
    for asset in assets:
        total += len(gzip.compress(client.get(asset).data))
    assert total < BUDGET, f"{total} bytes"
