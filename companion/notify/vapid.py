"""The application server's VAPID key pair (RFC 8292): generated into the instance folder on first
run when none is configured, and never logged."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from py_vapid import Vapid02


def _write_once(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it exists; safe when several workers start at once."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def load_key(app: Flask) -> Vapid02:
    """The VAPID private key: VAPID_PRIVATE_KEY (PEM) if given, else instance/vapid_private.pem."""
    pem = app.config.get("VAPID_PRIVATE_KEY") or ""
    if not pem:
        path = Path(app.instance_path) / "vapid_private.pem"
        key = ec.generate_private_key(ec.SECP256R1())
        _write_once(
            path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        pem = path.read_text()
    return Vapid02.from_pem(pem.encode())


def public_key(vapid: Vapid02) -> str:
    """The public key as the browser's `applicationServerKey` wants it (base64url, raw point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def init_app(app: Flask) -> None:
    """Load (or create) the key pair once per process."""
    vapid = load_key(app)
    app.extensions["companion.vapid"] = vapid
    app.config["VAPID_PUBLIC_KEY"] = public_key(vapid)
