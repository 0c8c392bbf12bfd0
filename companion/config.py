"""Settings, read once from the environment into one class, with safe embedded defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Environment names meaning "a real deployment": secrets must then be given, not generated.
PRODUCTION_NAMES = frozenset({"production", "prod"})

#: First URL segments that can never be a conference slug, because the app routes them itself.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "static",
        "feeds",
        "sw.js",
        "manifest.webmanifest",
        "favicon.ico",
        "robots.txt",
        "login",
        "logout",
        "register",
        "password-reset",
        "settings",
        "admin",
        "healthz",
    }
)


class ConfigError(RuntimeError):
    """The environment asks for something the app cannot run with."""


class Config:
    """Everything the app reads from its environment; `from_env` is the only constructor used."""

    #: "development" (embedded defaults allowed) or "production" (every secret must be given).
    ENV: str = "development"
    #: Signs cookies and CSRF tokens; generated into instance/secret_key outside production.
    SECRET_KEY: str = ""
    #: SQLAlchemy URL. Default: a SQLite file in the instance folder.
    DATABASE_URL: str = ""
    #: Conference shown at "/" when several exist; default: the one running now or next.
    DEFAULT_CONFERENCE: str | None = None
    #: Entries kept by each process's rendered-page cache (pages are keyed by programme revision).
    PAGE_CACHE_SIZE: int = 512
    #: The origin people reach the app at (scheme://host[:port], no path). Every absolute URL in
    #: pages, feeds, exports and mails starts with it, never with the request's Host header, which
    #: anyone can set. Default: http://HOST:PORT, what `make run` serves (127.0.0.1:5000).
    PUBLIC_URL: str = ""
    #: Host names the app answers to (comma-separated); any other Host header gets 400.
    #: Default: the host of PUBLIC_URL in production, any host in development.
    TRUSTED_HOSTS: list[str] | None = None
    #: Largest request body, in bytes; only the map upload and the schedule import take more.
    MAX_CONTENT_LENGTH: int = 256 * 1024
    #: Hosts a push subscription's endpoint may name: the push services of the browsers people use
    #: (comma-separated; "*.example" also matches its subdomains). Tests add their emulator.
    PUSH_SERVICE_HOSTS: tuple[str, ...] = (
        "fcm.googleapis.com",
        "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    )
    #: Accept http:// push endpoints (only for a local push service in tests).
    PUSH_ALLOW_HTTP: bool = False
    #: A fixed "now" (ISO 8601, with offset) for demos, screenshots and tests; None means the clock.
    FIXED_NOW: str | None = None
    #: How many reverse proxies stand in front of the app (their X-Forwarded-* headers are then
    #: trusted, so sign-in limits count the real client address). 0: none.
    PROXY_COUNT: int = 0
    #: VAPID private key (PEM) for Web Push; generated into instance/ outside production.
    VAPID_PRIVATE_KEY: str = ""
    #: Who push services contact about our traffic (RFC 8292 "sub").
    VAPID_SUBJECT: str = "mailto:organisers@conference-companion.invalid"
    #: Edits of one session within this many seconds make one change alert.
    PUSH_DEBOUNCE_SECONDS: int = 120
    #: How long a worker owns a claimed delivery; after a crash another worker sends it then.
    PUSH_LEASE_SECONDS: int = 60
    #: Longest search query accepted, in characters.
    SEARCH_MAX_LENGTH: int = 200
    #: Flask-WTF: CSRF tokens do not expire while the tab stays open (a phone keeps tabs for days).
    WTF_CSRF_TIME_LIMIT: int | None = None
    SESSION_COOKIE_NAME: str = "cc_session"
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_HTTPONLY: bool = True
    JSON_SORT_KEYS: bool = False
    #: SMTP host for password resets and invitations. Unset outside production: each mail is
    #: written to MAIL_FOLDER instead (and the log says where); unset in production: no start.
    MAIL_SERVER: str | None = None
    #: SMTP port: 587 for STARTTLS (submission), 465 for TLS from the first byte.
    MAIL_PORT: int = 587
    #: Speak TLS from the first byte (SMTPS, usually port 465).
    MAIL_USE_TLS: bool = False
    #: Upgrade the connection with STARTTLS before logging in or sending (port 587).
    MAIL_USE_STARTTLS: bool = True
    #: SMTP login, when the server asks for one.
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    #: The From of every mail.
    MAIL_SENDER: str = "Conference Companion <no-reply@conference-companion.invalid>"
    #: Where mails go when there is no MAIL_SERVER. Default: instance/mail/.
    MAIL_FOLDER: str = ""
    #: Seconds to wait for the SMTP server before telling the person their mail was not sent.
    MAIL_TIMEOUT: int = 10

    @classmethod
    def from_env(cls, instance_path: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
        """Build the Flask config mapping from `environ` (default: os.environ)."""
        env = dict(os.environ if environ is None else environ)
        name = env.get("COMPANION_ENV", cls.ENV).lower()
        production = name in PRODUCTION_NAMES
        secret = env.get("SECRET_KEY", "")
        if not secret:
            if production:
                raise ConfigError("SECRET_KEY must be set when COMPANION_ENV=production.")
            secret = _instance_secret(Path(instance_path) / "secret_key")
        database_url = env.get("DATABASE_URL", "")
        if not database_url:
            if production:
                raise ConfigError("DATABASE_URL must be set when COMPANION_ENV=production.")
            database_url = "sqlite:///" + str(Path(instance_path) / "companion.db")
        vapid_key = env.get("VAPID_PRIVATE_KEY", "").replace("\\n", "\n")
        if production and not vapid_key:
            raise ConfigError(
                "VAPID_PRIVATE_KEY must be set when COMPANION_ENV=production "
                "(every app server and worker must sign with the same key)."
            )
        public_url = _public_url(env, production=production)
        trusted = env.get("TRUSTED_HOSTS", "")
        trusted_hosts = [h.strip() for h in trusted.split(",") if h.strip()] or (
            [urlsplit(public_url).hostname or ""] if production else cls.TRUSTED_HOSTS
        )
        push_hosts = env.get("PUSH_SERVICE_HOSTS", "")
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        return {
            "ENV_NAME": name,
            "SECRET_KEY": secret,
            "DATABASE_URL": database_url,
            "DEFAULT_CONFERENCE": env.get("DEFAULT_CONFERENCE") or cls.DEFAULT_CONFERENCE,
            "PAGE_CACHE_SIZE": int(env.get("PAGE_CACHE_SIZE", cls.PAGE_CACHE_SIZE)),
            "PROXY_COUNT": int(env.get("PROXY_COUNT", cls.PROXY_COUNT)),
            "VAPID_PRIVATE_KEY": vapid_key,
            "VAPID_SUBJECT": env.get("VAPID_SUBJECT", cls.VAPID_SUBJECT),
            "PUSH_LEASE_SECONDS": int(env.get("PUSH_LEASE_SECONDS", cls.PUSH_LEASE_SECONDS)),
            "PUSH_DEBOUNCE_SECONDS": int(
                env.get("PUSH_DEBOUNCE_SECONDS", cls.PUSH_DEBOUNCE_SECONDS)
            ),
            "FIXED_NOW": env.get("COMPANION_NOW") or cls.FIXED_NOW,
            "PUBLIC_URL": public_url,
            "TRUSTED_HOSTS": trusted_hosts,
            "MAX_CONTENT_LENGTH": cls.MAX_CONTENT_LENGTH,
            "PUSH_SERVICE_HOSTS": tuple(h.strip() for h in push_hosts.split(",") if h.strip())
            or cls.PUSH_SERVICE_HOSTS,
            "PUSH_ALLOW_HTTP": env.get("PUSH_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
            and not production,
            "HSTS": production,
            "SEARCH_MAX_LENGTH": cls.SEARCH_MAX_LENGTH,
            "WTF_CSRF_TIME_LIMIT": cls.WTF_CSRF_TIME_LIMIT,
            "SESSION_COOKIE_NAME": cls.SESSION_COOKIE_NAME,
            "SESSION_COOKIE_SAMESITE": cls.SESSION_COOKIE_SAMESITE,
            "SESSION_COOKIE_HTTPONLY": cls.SESSION_COOKIE_HTTPONLY,
            "SESSION_COOKIE_SECURE": production,
            "JSON_SORT_KEYS": cls.JSON_SORT_KEYS,
            **cls._mail_settings(env, instance_path, production=production),
        }

    @classmethod
    def _mail_settings(
        cls, env: dict[str, str], instance_path: str, *, production: bool
    ) -> dict[str, Any]:
        """The MAIL_* settings; production needs a real server (resets and invitations must
        reach people) and never sends an SMTP password in clear."""
        server = env.get("MAIL_SERVER") or cls.MAIL_SERVER
        use_tls = _flag(env.get("MAIL_USE_TLS"), cls.MAIL_USE_TLS)
        use_starttls = _flag(env.get("MAIL_USE_STARTTLS"), cls.MAIL_USE_STARTTLS) and not use_tls
        password = env.get("MAIL_PASSWORD") or cls.MAIL_PASSWORD
        sender = env.get("MAIL_SENDER") or cls.MAIL_SENDER
        if production:
            if not server:
                raise ConfigError(
                    "MAIL_SERVER must be set when COMPANION_ENV=production "
                    "(password resets and invitations go by email)."
                )
            if sender == cls.MAIL_SENDER:
                raise ConfigError("MAIL_SENDER must be set when COMPANION_ENV=production.")
            if password and not (use_tls or use_starttls):
                raise ConfigError(
                    "MAIL_PASSWORD would travel in clear: set MAIL_USE_TLS or MAIL_USE_STARTTLS."
                )
        return {
            "MAIL_SERVER": server,
            "MAIL_PORT": int(env.get("MAIL_PORT", cls.MAIL_PORT)),
            "MAIL_USE_TLS": use_tls,
            "MAIL_USE_STARTTLS": use_starttls,
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or cls.MAIL_USERNAME,
            "MAIL_PASSWORD": password,
            "MAIL_SENDER": sender,
            "MAIL_FOLDER": env.get("MAIL_FOLDER") or str(Path(instance_path) / "mail"),
            "MAIL_TIMEOUT": int(env.get("MAIL_TIMEOUT", cls.MAIL_TIMEOUT)),
        }


def _flag(value: str | None, default: bool) -> bool:
    """An on/off setting: 1, true, yes or on mean on; unset means `default`."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _public_url(env: dict[str, str], *, production: bool) -> str:
    """PUBLIC_URL as an origin without a trailing slash; in production it must be given, https."""
    raw = env.get("PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        if production:
            raise ConfigError(
                "PUBLIC_URL must be set when COMPANION_ENV=production (e.g. "
                "https://companion.example.org): absolute links are built from it."
            )
        host = env.get("HOST", "127.0.0.1")
        if host in ("0.0.0.0", "::", ""):  # every interface: this machine's links still work
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        raw = f"http://{host}:{env.get('PORT', '5000')}"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ConfigError(f"PUBLIC_URL must look like https://host[:port], not {raw!r}.")
    if production and parts.scheme != "https":
        raise ConfigError("PUBLIC_URL must be an https:// address in production.")
    return raw


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it (readable by the owner only) on first run.

    Several workers may start at once: the key is written to a private temporary file and linked
    into place, so a reader never sees a half-written file, and the first link wins.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker won the race: use its key
        finally:
            temporary.unlink()
    secret = path.read_text().strip()
    if not secret:
        raise ConfigError(f"{path} is empty: delete it to have a new secret key generated.")
    return secret
