"""The browser's search (static/js/search.js) sees words as the server does: the same
normalising, query terms and highlights, run in Node against the Python functions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.search.text import highlight, normalise, terms

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    "Café-Ops!  Über_all",
    "José MÜLLER, Zoë & <script>alert('x')</script>",
    "Ｆｕｌｌwidth ﬁ ligatures 3rd-party",
    "naïve coöperation — İstanbul ß ΣΊΣΥΦΟΣ",
]
QUERIES = ["cafe", "muller scr", "fullwidth", "istanbul ss", "ZOË"]


def test_search_js_normalises_and_highlights_as_the_server_does() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is missing: `make test` needs it for ESLint anyway")
    script = (
        "const s = await import(process.argv[1]);"
        "const [cases, queries] = JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify({"
        " normal: cases.map(s.normalise),"
        " terms: queries.map(s.terms),"
        " marks: queries.map((q) => cases.map((c) => s.highlight(c, s.terms(q))))}));"
    )
    out = subprocess.run(
        [
            node,
            "--input-type=module",
            "-e",
            script,
            str(ROOT / "static/js/search.js"),
            json.dumps([CASES, QUERIES]),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    browser = json.loads(out.stdout)
    assert browser["normal"] == [normalise(c) for c in CASES]
    assert browser["terms"] == [
        [{"text": t.text, "prefix": t.prefix} for t in terms(q)] for q in QUERIES
    ]
    assert browser["marks"] == [[str(highlight(c, terms(q))) for c in CASES] for q in QUERIES]
