"""Fetching a speaker's photo from an address a schedule file names (a pretalx `avatar`), only
from the hosts an operator allowed (PHOTO_IMPORT_HOSTS, matched exactly; none by default).

Standard library only (http.client, ssl, socket, ipaddress): no proxies from the environment,
no redirects followed behind our back, and the address we check is the address we connect to.

- https only, on port 443 or another the URL names, with the system's certificate checks;
- a host that is an IP literal is refused; a host name is resolved once, every address it has
  must be public (not private, loopback, link-local, multicast, reserved or unspecified), and
  the connection goes to that checked address (the TLS name is still the host's). That closes
  the DNS-rebinding gap between "check" and "connect" (a second lookup that answers 127.0.0.1);
  what it cannot close: an allowed host that is itself hostile or compromised can still serve
  anything up to the size limit, which images.process then checks like any upload;
- a redirect is followed (at most 3) only to https on an allowed host, checked the same way;
- 5 s to connect and for each read, MAX_BYTES at most, and one deadline for the whole import.

Tests only (PHOTO_IMPORT_ALLOW_LOCAL, never from the environment, off in production): http,
and loopback or private addresses, for the test's own image server.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from companion.photos.images import MAX_BYTES

#: Seconds to connect, and to wait for each read.
TIMEOUT = 5.0
#: Redirects followed, each to an allowed host.
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024


class FetchRefused(Exception):
    """The photo was not fetched; `reason` says why, as a person reads it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Policy:
    """Where photos may come from: the allowed hosts, and the tests' exception."""

    hosts: tuple[str, ...]
    allow_local: bool = False

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched, before any lookup or request; None when it may."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            return "the address is not a web address"
        schemes = ("https", "http") if self.allow_local else ("https",)
        if parts.scheme.lower() not in schemes:
            return "only https:// addresses are fetched"
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            return "the address has no host"
        if parts.username is not None or parts.password is not None:
            return "the address carries a user name or password"
        if _is_ip(host):
            return f"{host} is an IP address, not a host name"
        if host not in self.hosts:
            return f"{host} is not in PHOTO_IMPORT_HOSTS"
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _public_addresses(host: str, port: int, *, allow_local: bool) -> list[str]:
    """The addresses to connect to: `host` resolved, every answer public (else FetchRefused)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchRefused(f"{host} could not be found") from None
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    if not addresses:
        raise FetchRefused(f"{host} could not be found")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if (not ip.is_global or ip.is_multicast) and not allow_local:
            raise FetchRefused(f"{host} resolves to a private or local address ({address})")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of the checked `addresses` that answers."""
    failure: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to one checked address, with the certificate checked for the host name."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        raw = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedPlainConnection(http.client.HTTPConnection):
    """Plain HTTP to one checked address (tests only)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


def fetch(url: str, policy: Policy, *, deadline: float) -> bytes:
    """The bytes at `url` (at most images.MAX_BYTES), or FetchRefused saying why not.
    `deadline` is a time.monotonic() value shared by every fetch of one import."""
    for _ in range(MAX_REDIRECTS + 1):
        reason = policy.refusal(url)
        if reason is not None:
            raise FetchRefused(reason)
        status, location, body = _get(url, policy, deadline)
        if status in (301, 302, 303, 307, 308):
            if not location:
                raise FetchRefused(f"{_host(url)} answered a redirect without an address")
            target = urljoin(url, location)
            reason = policy.refusal(target)
            if reason is not None:
                raise FetchRefused(f"it redirects elsewhere: {reason}")
            url = target
            continue
        if status != 200:
            raise FetchRefused(f"{_host(url)} answered {status}")
        return body
    raise FetchRefused(f"{_host(url)} redirected more than {MAX_REDIRECTS} times")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused("the import's time for fetching photos ran out")
    return min(TIMEOUT, left)


def _get(url: str, policy: Policy, deadline: float) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    secure = parts.scheme.lower() == "https"
    port = parts.port or (443 if secure else 80)
    timeout = _remaining(deadline)
    addresses = _public_addresses(host, port, allow_local=policy.allow_local)
    kind = _PinnedConnection if secure else _PinnedPlainConnection
    connection = kind(host, port, addresses, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET",
            target,
            headers={"Accept": "image/webp,image/png,image/jpeg", "User-Agent": "companion"},
        )
        raw = connection.sock  # the answer may drop the connection's reference to it
        answer = connection.getresponse()
        if answer.status != 200:
            return answer.status, answer.getheader("Location") or "", b""
        declared = answer.getheader("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BYTES:
            raise FetchRefused(_too_large())
        chunks: list[bytes] = []
        size = 0
        while not answer.isclosed():  # it closes itself once the declared length is read
            if raw is not None:
                raw.settimeout(_remaining(deadline))
            chunk = answer.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BYTES:
                raise FetchRefused(_too_large())
            chunks.append(chunk)
        return 200, "", b"".join(chunks)
    except TimeoutError:
        if time.monotonic() >= deadline:
            raise FetchRefused("the import's time for fetching photos ran out") from None
        raise FetchRefused(f"{host} did not answer within {TIMEOUT:g} s") from None
    except ssl.SSLCertVerificationError:
        raise FetchRefused(f"{host}'s certificate could not be verified") from None
    except ssl.SSLError:
        raise FetchRefused(f"{host} failed to speak TLS") from None
    except (OSError, http.client.HTTPException):
        raise FetchRefused(f"{host} could not be reached") from None
    finally:
        connection.close()


def _too_large() -> str:
    return f"the file is larger than {MAX_BYTES // 2**20} MB"
