"""What the service worker (`templates/offline/sw.js`) knows about this site's URLs, said once,
here, from the same rules the features register: which requests are pages, which are one
person's, which are never kept, which posts sign someone in or out, and which query parameters a
page applies to itself. `sw.js` receives them as JSON (`|tojson`) and builds its regexes from
them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import current_app, url_for

from companion.live import EVENTS_RULE

#: One person's pages, kept in the private cache that signing out clears (network first).
PRIVATE_PAGES = ("agenda.my_schedule", "notify.my_alerts", "questions.questions_page")
#: Never kept, not even to open offline: signing in and out, settings, one-time links, private
#: calendar feeds, and every organiser's and host's page (per person). Rules taken as prefixes
#: of the paths they cover.
NEVER_KEPT = (
    "/login",
    "/register",
    "/logout",
    "/settings/",
    "/link/",
    "/password-reset/",
    "/feeds/",
    "/<conf>/admin/",
    "/<conf>/host/",
)
#: Posting to these signs someone in or out: the saved private pages were someone else's.
SIGN_IN_OR_OUT = (
    "accounts.logout",
    "accounts.login",
    "accounts.register",
    "accounts.device_link",
    "accounts.reset_password",
)
#: Fetched as images (a map, a speaker's photo, or opened on their own), yet kept like pages.
MAP_FILES = ("venue.floor_map", "photos.speaker_photo")
#: Query parameters that never change the server's answer for the saved copy to be right: the
#: manifest's start URL marker (`?source=pwa`), and the day page's filters, which app.js applies
#: to the page itself. Any other parameter (a search's ?q=, …) makes another page that only the
#: network can answer.
PAGE_SIDE_PARAMS = ("source", "track", "kind")

#: Where the JSON answers live (network first, the saved copy as the fallback).
API_PREFIX = "/api/"

#: What a rule's variable (`<conf>`, `<int:role_id>`…) stands for in a path: one segment.
_SEGMENT = "([^/]+)"
_VARIABLE = re.compile(r"<[^>]+>")


def rule_of(endpoint: str) -> str:
    """The URL rule an endpoint is registered under (each of these has exactly one)."""
    (rule,) = current_app.url_map.iter_rules(endpoint)
    return rule.rule


def pattern(rules: Iterable[str], *, prefix: bool = False) -> str:
    """A JavaScript regex source matching a path of any of `rules` (or starting with one, for
    `prefix`): the fixed parts literally, each variable one path segment, captured in order."""
    alternatives = [
        _SEGMENT.join(
            re.sub(r"[.^$*+?()[\]{}|\\]", r"\\\g<0>", part) for part in _VARIABLE.split(rule)
        )
        for rule in rules
    ]
    return f"^(?:{'|'.join(alternatives)}){'' if prefix else '$'}"


def urls() -> dict[str, object]:
    """Everything `sw.js` is told about URLs (rendered in the request that serves it)."""
    return {
        "offline": url_for("offline.fallback"),
        "worker": url_for("offline.service_worker"),
        "static": url_for("static", filename=""),
        "api": API_PREFIX,
        "private_page": pattern(rule_of(e) for e in PRIVATE_PAGES),
        "never_kept": pattern(NEVER_KEPT, prefix=True),
        "sign_in_or_out": pattern(rule_of(e) for e in SIGN_IN_OR_OUT),
        "map_file": pattern(rule_of(e) for e in MAP_FILES),
        "search_page": pattern([rule_of("search.search_page")]),
        "offline_search": rule_of("offline.search_unavailable"),
        "search_api": pattern([rule_of("search.api_search")]),
        "offline_list": rule_of("offline.offline_list"),
        "offline_bundle": rule_of("offline.bundle"),
        "offline_changes": rule_of("offline.changes"),
        "my_schedule": rule_of("agenda.my_schedule"),
        "my_alerts": rule_of("notify.my_alerts"),
        "private_api": rule_of("agenda.api_me"),
        "page_side_params": PAGE_SIDE_PARAMS,
        "live_events": pattern([EVENTS_RULE]),
    }
