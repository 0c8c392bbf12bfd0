"""A local Web Push service for the tests: it checks the VAPID JWT (RFC 8292) against the app's
public key and the audience, decrypts the aes128gcm body (RFC 8291) with the subscription's own
private key exactly as a browser would, records the plaintext and headers, and answers as told:
201, 410, 429 with Retry-After, 500, or not at all (hang)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(text: str) -> bytes:
    """base64url without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Received:
    """One accepted push, decrypted."""

    subscription: str
    payload: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    at: float


@dataclass
class _Subscription:
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class PushService:
    """Start with `PushService(app_public_key)`; `subscribe()` gives browser-style subscriptions."""

    def __init__(self, vapid_public_key: str, *, delay: float = 0.0) -> None:
        self.vapid_public_key = vapid_public_key
        self.delay = delay
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.hits = 0
        self._subs: dict[str, _Subscription] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: senders pool their connections

            def do_POST(self) -> None:
                service._handle(self)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        # serve_forever checks for shutdown every poll_interval: 0.5 s by default, which every
        # test paid again at teardown.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> dict[str, Any]:
        """A new subscription with its own P-256 key pair and auth secret, as a browser makes."""
        sub_id = b64encode(os.urandom(9))
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self._subs[sub_id] = _Subscription(key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{sub_id}",
            "keys": {"p256dh": b64encode(public), "auth": b64encode(auth)},
        }

    def answer(self, endpoint: str, *answers: tuple[int, dict[str, str]]) -> None:
        """Queue the next answers for a subscription (status, headers); status 0 means hang."""
        self._subs[endpoint.rsplit("/", 1)[1]].answers.extend(answers)

    def payloads(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Decrypted payloads received (for one subscription, or all)."""
        sub_id = endpoint.rsplit("/", 1)[1] if endpoint else None
        return [r.payload for r in self.received if sub_id is None or r.subscription == sub_id]

    # --- the push service -------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        body = request.rfile.read(length)
        with self._lock:
            self.hits += 1
        sub_id = request.path.rsplit("/", 1)[-1]
        subscription = self._subs.get(sub_id)
        if subscription is None:
            return self._reply(request, 404)
        problem = self._check_vapid(request.headers.get("Authorization", ""))
        if problem:
            self.rejected.append(problem)
            return self._reply(request, 403)
        with self._lock:
            status, headers = subscription.answers.pop(0) if subscription.answers else (201, {})
        if status == 0:
            time.sleep(30)  # hang: the sender's timeout must fire
            return None
        if self.delay:
            time.sleep(self.delay)
        if status in (200, 201, 202):
            plaintext = http_ece.decrypt(
                body,
                private_key=subscription.key,
                auth_secret=subscription.auth,
                version="aes128gcm",
            )
            with self._lock:
                self.received.append(
                    Received(
                        sub_id,
                        json.loads(plaintext),
                        int(request.headers.get("TTL", "-1")),
                        request.headers.get("Urgency"),
                        request.headers.get("Topic"),
                        time.time(),
                    )
                )
        return self._reply(request, status, headers)

    def _check_vapid(self, authorization: str) -> str | None:
        if not authorization.startswith("vapid "):
            return "no VAPID authorization"
        parts = dict(p.strip().split("=", 1) for p in authorization[6:].split(","))
        if parts.get("k") != self.vapid_public_key:
            return "unknown application server key"
        header, claims, signature = parts.get("t", "..").split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(parts["k"]))
        raw = b64decode(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad JWT signature"
        data = json.loads(b64decode(claims))
        if json.loads(b64decode(header)).get("alg") != "ES256":
            return "JWT not ES256"
        if data.get("aud") != self.origin:
            return f"wrong audience {data.get('aud')}"
        if not time.time() < data.get("exp", 0) <= time.time() + 24 * 3600:
            return "expired or too long-lived JWT"
        if not str(data.get("sub", "")).startswith(("mailto:", "https:")):
            return "no subject"
        return None

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler, status: int, headers: dict[str, str] | None = None
    ) -> None:
        request.send_response(status)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()


def trusted(service: PushService) -> dict[str, str]:
    """The settings that let the app send to `service` (and to no other loopback address), as
    config values and as environment variables for a worker process."""
    from companion.config import Config

    return {
        "PUSH_ALLOW_HTTP": "1",
        "PUSH_SERVICE_HOSTS": ",".join(
            (*Config.PUSH_SERVICE_HOSTS, service.origin.removeprefix("http://"))
        ),
    }


def trust(app: Any, service: PushService) -> None:
    """Let `app` (and workers made from it) send to `service`."""
    settings = trusted(service)
    app.config["PUSH_ALLOW_HTTP"] = True
    app.config["PUSH_SERVICE_HOSTS"] = tuple(settings["PUSH_SERVICE_HOSTS"].split(","))
