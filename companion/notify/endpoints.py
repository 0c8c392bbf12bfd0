"""Which push endpoints the app will ever send to: only the push services browsers use.

A subscription's endpoint is a URL a browser hands us, so anyone can post any URL; sending to it
would let them make the worker open connections to any host and port (blind SSRF). An endpoint is
accepted only when its host is on PUSH_SERVICE_HOSTS, and before each send the host's resolved
addresses must all be public (no loopback, private, link-local or reserved address), unless the
allow-list names that very address and port (the tests' local push service does).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from companion.errors import BadRequest

#: How long a host's resolved addresses are trusted by the sender.
RESOLVE_TTL_SECONDS = 60.0


def _split(entry: str) -> tuple[str, int | None]:
    """An allow-list entry as (host, port or None): "host", "host:port", "[v6]:port"."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, None


def _entry_matches(entry: str, host: str, port: int) -> bool:
    name, wanted_port = _split(entry)
    if port != (443 if wanted_port is None else wanted_port):  # push services listen on 443
        return False
    if name.startswith("*."):
        return host.endswith(name[1:])
    return host == name


def matching_entry(endpoint: str, allowed: Iterable[str], *, allow_http: bool) -> str | None:
    """The allow-list entry `endpoint` falls under, or None when it may not be used."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return None
    if any(char.isspace() or ord(char) < 32 for char in endpoint):
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username or parts.password:
        return None
    return next((entry for entry in allowed if _entry_matches(entry, host, port)), None)


def canonical(endpoint: str) -> str:
    """The one spelling of an endpoint, or BadRequest: host lower-cased without a trailing dot or
    the default port, the path normalised as RFC 3986 says (percent-escapes of unreserved
    characters decoded, the others in upper case), and nothing that two URL parsers could read
    differently — a backslash, userinfo, a fragment, dot segments, empty path segments, a host
    that is not plain letters, digits and hyphens (or an IP address). So the host that is checked
    is the host that is reached, and one subscription has one spelling."""
    if any(char.isspace() or ord(char) < 32 or char == "\\" for char in endpoint):
        raise BadRequest("That push endpoint holds characters a push service's URL never has.")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise BadRequest("That push endpoint is not a URL.") from None
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise BadRequest("That push endpoint is not on a push service this app sends to.")
    host = (parts.hostname or "").lower().rstrip(".")
    literal = _is_literal(host)
    if not host or not (literal or all(_HOST_LABEL.fullmatch(label) for label in host.split("."))):
        raise BadRequest("That push endpoint has no valid host name.")
    segments = parts.path.split("/")[1:]
    if (
        not parts.path.startswith("/")
        or any(seg in ("", ".", "..") for seg in segments[:-1])
        or (segments and segments[-1] in (".", ".."))
    ):
        raise BadRequest("That push endpoint's path is not a plain path.")
    path = _ESCAPE.sub(_normalise_escape, parts.path)
    default = 443 if parts.scheme == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if port in (None, default) else f"{shown}:{port}"
    return parts._replace(netloc=netloc, path=path).geturl()


_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def check_endpoint(endpoint: str, allowed: Iterable[str], *, allow_http: bool) -> None:
    """Refuse (400) an endpoint that is not on a known push service."""
    if not endpoint.startswith("https://") and not allow_http:
        raise BadRequest("A push endpoint must be an https:// URL.")
    if matching_entry(endpoint, allowed, allow_http=allow_http) is None:
        raise BadRequest(
            "That push endpoint is not on a push service this app sends to. Turn notifications "
            "off and on again in a current browser."
        )


def _is_literal(entry: str) -> bool:
    try:
        ipaddress.ip_address(_split(entry)[0])
    except ValueError:
        return False
    return True


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class SendGuard:
    """Decides, just before a send, whether an endpoint's host may be reached now."""

    def __init__(self, allowed: Iterable[str], *, allow_http: bool) -> None:
        self.allowed = tuple(allowed)
        self.allow_http = allow_http
        self._resolved: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def may_send(self, endpoint: str) -> bool:
        """True when the endpoint is on the allow-list and its host resolves to public addresses
        only (or is an address the allow-list names itself)."""
        entry = matching_entry(endpoint, self.allowed, allow_http=self.allow_http)
        if entry is None:
            return False
        if _is_literal(entry):
            return True
        host = (urlsplit(endpoint).hostname or "").lower()
        now = time.monotonic()
        with self._lock:
            cached = self._resolved.get(host)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            ok = bool(infos) and all(_public(str(info[4][0])) for info in infos)
        except (OSError, ValueError):
            ok = False
        with self._lock:
            self._resolved[host] = (now + RESOLVE_TTL_SECONDS, ok)
        return ok
