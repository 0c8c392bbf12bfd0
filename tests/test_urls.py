"""The URL tables of issue 14: each feature lists, in the docstring of its `__init__.py`, every
URL it serves and the module whose view answers it, so that a URL leads to its file in two hops
(the feature's table, then the module). These tests hold the tables to the app's url_map."""

from __future__ import annotations

import re
from collections import Counter
from types import ModuleType

from flask import Flask

import app as application

#: A table row: `| GET POST /<conf>/host/sessions/new | host.new_session | pages |`.
ROW = re.compile(r"^\| ((?:[A-Z]+ +)+)(/\S*) +\| ([\w.]+) +\| (\w+) +\|$")
#: What Flask adds to every rule by itself.
IMPLIED = {"HEAD", "OPTIONS"}

Entry = tuple[frozenset[str], str, str]  # methods, rule, endpoint


def table(feature: ModuleType) -> dict[Entry, str]:
    """The feature's URL table: each (methods, rule, endpoint) and its module's full name."""
    rows = [ROW.match(line) for line in (feature.__doc__ or "").splitlines()]
    return {
        (frozenset(m[1].split()), m[2], m[3]): f"{feature.__name__}.{m[4]}"
        for m in rows
        if m is not None
    }


def _served(app: Flask) -> Counter[Entry]:
    return Counter(
        (frozenset((rule.methods or set()) - IMPLIED), rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    )


def test_every_rule_is_in_exactly_one_features_table(app: Flask) -> None:
    listed = Counter(entry for feature in application.FEATURES for entry in table(feature))
    assert listed == _served(app)
    assert set(listed.values()) == {1}


def test_every_table_names_the_module_that_defines_the_view(app: Flask) -> None:
    wrong = {
        endpoint: (module, app.view_functions[endpoint].__module__)
        for feature in application.FEATURES
        for (_, _, endpoint), module in table(feature).items()
        if app.view_functions[endpoint].__module__ != module
    }
    assert wrong == {}


def test_every_table_row_is_read() -> None:
    """A row the pattern cannot read (a typo in its layout) would silently be left out."""
    unread = [
        line
        for feature in application.FEATURES
        for line in (feature.__doc__ or "").splitlines()
        if line.startswith("| ") and not line.startswith("| URL ") and not ROW.match(line)
    ]
    assert unread == []
