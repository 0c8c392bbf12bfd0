"""Sending one Web Push message with pywebpush (RFC 8030 + 8291 + 8292) and reading the answer."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

#: Answers that mean "this subscription is gone for good".
GONE = frozenset({404, 410})
#: Answers worth trying again later.
RETRY = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Message:
    """What to push to one subscription."""

    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, Any]
    ttl: int
    urgency: str
    topic: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the push service said: "sent", "gone", "retry" (after `retry_after` s) or "failed"."""

    result: str
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None


_local = threading.local()


def http_session(pool: int) -> requests.Session:
    """A pooled HTTP session per sending thread (connections to a push service are reused)."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


def retry_after(response: requests.Response | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def send(
    message: Message, *, vapid: Vapid02, subject: str, timeout: float, pool: int = 8
) -> Outcome:
    """Push one encrypted message; never raises for what a push service or network can do."""
    try:
        response = webpush(
            subscription_info={
                "endpoint": message.endpoint,
                "keys": {"p256dh": message.p256dh, "auth": message.auth},
            },
            data=json.dumps(message.payload, separators=(",", ":")),
            vapid_private_key=vapid,
            vapid_claims={"sub": subject},
            ttl=message.ttl,
            headers={"Urgency": message.urgency, "Topic": message.topic},
            timeout=timeout,
            requests_session=http_session(pool),
        )
    except WebPushException as error:
        response = error.response
        if response is None:
            return Outcome("retry", error=str(error)[:300])
    except requests.RequestException as error:  # timeouts, refused connections
        return Outcome("retry", error=f"{type(error).__name__}: {error}"[:300])
    except ValueError as error:  # a malformed subscription (bad keys)
        return Outcome("gone", error=f"invalid subscription: {error}"[:300])
    assert isinstance(response, requests.Response)
    status = response.status_code
    if status in (200, 201, 202):
        return Outcome("sent", status=status)
    if status in GONE:
        return Outcome("gone", status=status, error=f"{status} from the push service")
    if status in RETRY:
        return Outcome(
            "retry",
            status=status,
            error=f"{status} from the push service",
            retry_after=retry_after(response),
        )
    return Outcome("failed", status=status, error=f"{status}: {response.text[:200]}")
