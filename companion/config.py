"""Settings, each declared once with its doc, default and parser, read from the environment by
that declaration into one mapping, with safe embedded defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
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


T = TypeVar("T")


class Setting(Generic[T]):
    """One setting: its default, the environment variable it is read from (`env`, by default the
    setting's own name; None: not read from the environment) and the parser of that variable.

    On the class, `Config.NAME` is the default; `Config.from_env` reads every setting through its
    declaration. A blank variable means the default; one the parser refuses is a ConfigError that
    names the variable.
    """

    def __init__(
        self, default: T, parse: Callable[[str], T] | None = None, *, env: str | None = ""
    ) -> None:
        self.default = default
        self.parse = parse
        self.env = env
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if self.env == "":
            self.env = name
        if self.env is not None and self.parse is None:
            raise TypeError(f"Setting {name} is read from {self.env} but has no parser.")

    def __get__(self, instance: object | None, owner: type) -> T:
        return self.default

    def read(self, environ: Mapping[str, str]) -> T:
        """This setting's value in `environ`: parsed, or the default when unset or blank."""
        raw = environ.get(self.env) if self.env is not None else None
        if raw is None or not raw.strip() or self.parse is None:
            return self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{self.env}={raw!r}: {error}") from None


# --- Parsers: text of an environment variable → value, or ValueError saying what is expected ---


def text(raw: str) -> str:
    """Taken as written (passwords and keys may have spaces at either end)."""
    return raw


def optional_text(raw: str) -> str | None:
    """Taken as written; the setting's default is None."""
    return raw


def lowercase(raw: str) -> str:
    """A name compared without case."""
    return raw.strip().lower()


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """A parser of whole numbers within the bounds given."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


ON = frozenset({"1", "true", "yes", "on"})
OFF = frozenset({"0", "false", "no", "off"})


def flag(raw: str) -> bool:
    """On/off: 1, true, yes or on; 0, false, no or off."""
    word = raw.strip().lower()
    if word not in ON | OFF:
        raise ValueError("must be one of 1, true, yes, on, 0, false, no, off")
    return word in ON


def names(raw: str) -> tuple[str, ...]:
    """A comma-separated list of names (spaces around each are ignored)."""
    found = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not found:
        raise ValueError("must name at least one, separated by commas")
    return found


def host_names(raw: str) -> tuple[str, ...]:
    """Like `names`, in lower case, each a bare host name (no scheme, port, path or wildcard)."""
    found = tuple(name.lower().rstrip(".") for name in names(raw))
    for name in found:
        if not name or any(mark in name for mark in "/:*@ "):
            raise ValueError(f"“{name}” is not a host name (write e.g. pretalx.com,media.ccc.de)")
    return found


def name_list(raw: str) -> list[str] | None:
    """Like `names`, as a list (Flask's TRUSTED_HOSTS is one)."""
    return list(names(raw))


def instant(raw: str) -> str | None:
    """An ISO 8601 date and time (kept as text; `companion.clock` reads it)."""
    try:
        datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(
            "must be an ISO 8601 date and time, e.g. 2020-03-02T10:30:00+00:00"
        ) from None
    return raw.strip()


def pem(raw: str) -> str:
    """A PEM key; "\\n" stands for a line break (one-line environment files)."""
    return raw.replace("\\n", "\n")


def origin(raw: str) -> str:
    """scheme://host[:port] without a path, without a trailing slash."""
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(f"must look like https://host[:port], not {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError(f"must look like https://host[:port], not {value!r}")
    return value


class Config:
    """Every setting the app reads, each declared once: `#:` says what it is, the `Setting` its
    default, its environment variable and how that is parsed. `from_env` is the only constructor.
    Settings with `env=None` are fixed or derived from others (said in their doc)."""

    #: "development" (embedded defaults allowed) or "production" (every secret must be given).
    ENV_NAME = Setting("development", lowercase, env="COMPANION_ENV")
    #: Signs cookies and CSRF tokens; generated into instance/secret_key outside production.
    SECRET_KEY = Setting("", text)
    #: SQLAlchemy URL (postgres:// and postgresql:// are run with psycopg 3).
    #: Default: a SQLite file in the instance folder; required in production.
    DATABASE_URL = Setting("", text)
    #: Conference shown at "/" when several exist; default: the one running now or next.
    DEFAULT_CONFERENCE = Setting[str | None](None, optional_text)
    #: Entries kept by each process's rendered-page cache (pages are keyed by programme revision).
    PAGE_CACHE_SIZE = Setting(512, integer(minimum=1))
    #: Bytes each of those caches may hold (bodies and their gzip form), whatever their number.
    PAGE_CACHE_BYTES = Setting(64 * 1024 * 1024, integer(minimum=0))
    #: Render a conference's new revision into the shared page store in a background thread
    #: right after the change commits (off in the test suite, whose tests render on demand).
    RENDER_AFTER_EDIT = Setting(True, flag)
    #: The origin people reach the app at (scheme://host[:port], no path). Every absolute URL in
    #: pages, feeds, exports and mails starts with it, never with the request's Host header, which
    #: anyone can set. Default: http://HOST:PORT, what `make run` serves (127.0.0.1:5000);
    #: required, and https, in production.
    PUBLIC_URL = Setting("", origin)
    #: Host names the app answers to (comma-separated); any other Host header gets 400.
    #: Default: the host of PUBLIC_URL in production, any host in development.
    TRUSTED_HOSTS = Setting[list[str] | None](None, name_list)
    #: Send Strict-Transport-Security (on in production, where PUBLIC_URL is https).
    HSTS = Setting(False, env=None)
    #: Largest request body, in bytes; only the map upload and the schedule import take more.
    MAX_CONTENT_LENGTH = Setting(256 * 1024, env=None)
    #: Largest floor map (SVG) an organiser may upload, in bytes.
    VENUE_MAP_MAX_BYTES = Setting(2 * 1024 * 1024, env=None)
    #: Hosts a push subscription's endpoint may name: the push services of the browsers people use
    #: (comma-separated; "*.example" also matches its subdomains). Tests add their emulator.
    PUSH_SERVICE_HOSTS = Setting[tuple[str, ...]](
        (
            "fcm.googleapis.com",
            "android.googleapis.com",
            "updates.push.services.mozilla.com",
            "*.push.apple.com",
            "*.notify.windows.com",
        ),
        names,
    )
    #: Accept http:// push endpoints (only for a local push service in tests; never in production).
    PUSH_ALLOW_HTTP = Setting(False, flag)
    #: Hosts a schedule import may fetch speakers' photos from (a person's `avatar` URL), matched
    #: exactly (comma-separated, e.g. "pretalx.com,media.ccc.de"; no wildcards), over https only.
    #: Default: none, so an import never fetches anything (companion/photos/fetch.py).
    PHOTO_IMPORT_HOSTS = Setting[tuple[str, ...]]((), host_names)
    #: The most photos one import fetches (at most 300); the rest are noted in the result.
    PHOTO_IMPORT_MAX = Setting(300, integer(minimum=0, maximum=300))
    #: Seconds one import may spend fetching photos in all (each fetch also times out after 5 s).
    #: The confirm request waits for them: keep it under the app server's worker timeout
    #: (gunicorn's default is 30 s), or the worker is killed and nothing is imported.
    PHOTO_IMPORT_BUDGET = Setting(20, integer(minimum=1, maximum=3600))
    #: Tests only, never read from the environment and off in production: fetch photos over
    #: http and from loopback or private addresses (the test's own image server).
    PHOTO_IMPORT_ALLOW_LOCAL = Setting(False, env=None)
    #: A fixed "now" (ISO 8601, with offset) for demos, screenshots and tests; None means the clock.
    FIXED_NOW = Setting[str | None](None, instant, env="COMPANION_NOW")
    #: How many reverse proxies stand in front of the app (their X-Forwarded-* headers are then
    #: trusted, so sign-in limits count the real client address). 0: none.
    PROXY_COUNT = Setting(0, integer(minimum=0))
    #: Where browsers reach the live events stream that `flask stream` serves: its origin, or
    #: "same" when a proxy sends /api/v1/conferences/<conf>/events to the stream nodes on this
    #: app's own origin, or "off" for no live updates (pages then learn of changes as they load).
    #: Default: PUBLIC_URL's host on LIVE_PORT (`make run`); "same" in production.
    LIVE_URL = Setting("", text)
    #: The port `flask stream` listens on by default.
    LIVE_PORT = Setting(5001, integer(minimum=1, maximum=65535))
    #: Seconds between heartbeat comments on an idle stream (proxies close silent connections).
    LIVE_HEARTBEAT_SECONDS = Setting(20, integer(minimum=1))
    #: Milliseconds between looks for new events on SQLite (PostgreSQL says so with NOTIFY; the
    #: stream still looks every 40 times this, in case a notification was lost).
    LIVE_POLL_MS = Setting(50, integer(minimum=1))
    #: Streams one client address may hold open at once. A venue's Wi-Fi may put thousands of
    #: phones behind one address: raise it there (or count the proxy's X-Forwarded-For with
    #: PROXY_COUNT).
    LIVE_MAX_PER_ADDRESS = Setting(200, integer(minimum=1))
    #: Bytes a stream may hold unsent for a client that does not read; past it, it is dropped.
    LIVE_MAX_BUFFER = Setting(256 * 1024, integer(minimum=1024))
    #: Days events are kept for clients that resume with Last-Event-ID.
    LIVE_KEEP_DAYS = Setting(7, integer(minimum=1))
    #: VAPID private key (PEM) for Web Push; generated into instance/ outside production.
    VAPID_PRIVATE_KEY = Setting("", pem)
    #: Who push services contact about our traffic (RFC 8292 "sub").
    VAPID_SUBJECT = Setting("mailto:organisers@conference-companion.invalid", text)
    #: Edits of one session within this many seconds make one change alert.
    PUSH_DEBOUNCE_SECONDS = Setting(120, integer(minimum=0))
    #: How long a worker owns a claimed delivery; after a crash another worker sends it then.
    PUSH_LEASE_SECONDS = Setting(60, integer(minimum=1))
    #: Longest search query accepted, in characters.
    SEARCH_MAX_LENGTH = Setting(200, env=None)
    #: Flask-WTF: CSRF tokens do not expire while the tab stays open (a phone keeps tabs for days).
    WTF_CSRF_TIME_LIMIT = Setting[int | None](None, env=None)
    #: Flask's session cookie: its name, kept from other sites' JavaScript and cross-site posts.
    SESSION_COOKIE_NAME = Setting("cc_session", env=None)
    #: Sent on top-level navigations from other sites, not on their posts or fetches.
    SESSION_COOKIE_SAMESITE = Setting("Lax", env=None)
    #: Out of reach of the page's JavaScript.
    SESSION_COOKIE_HTTPONLY = Setting(True, env=None)
    #: Sent over https only (on in production).
    SESSION_COOKIE_SECURE = Setting(False, env=None)
    #: JSON keys keep the order the code gives them.
    JSON_SORT_KEYS = Setting(False, env=None)
    #: SMTP host for password resets and invitations. Unset outside production: each mail is
    #: written to MAIL_FOLDER instead (and the log says where); unset in production: no start.
    MAIL_SERVER = Setting[str | None](None, optional_text)
    #: SMTP port: 587 for STARTTLS (submission), 465 for TLS from the first byte.
    MAIL_PORT = Setting(587, integer(minimum=1, maximum=65535))
    #: Speak TLS from the first byte (SMTPS, usually port 465).
    MAIL_USE_TLS = Setting(False, flag)
    #: Upgrade the connection with STARTTLS before logging in or sending (port 587); off when
    #: MAIL_USE_TLS is on.
    MAIL_USE_STARTTLS = Setting(True, flag)
    #: SMTP login, when the server asks for one.
    MAIL_USERNAME = Setting[str | None](None, optional_text)
    #: Its password (production refuses to send it without TLS or STARTTLS).
    MAIL_PASSWORD = Setting[str | None](None, optional_text)
    #: The From of every mail; must be set in production.
    MAIL_SENDER = Setting("Conference Companion <no-reply@conference-companion.invalid>", text)
    #: Where mails go when there is no MAIL_SERVER. Default: instance/mail/.
    MAIL_FOLDER = Setting("", text)
    #: Seconds to wait for the SMTP server before telling the person their mail was not sent.
    MAIL_TIMEOUT = Setting(10, integer(minimum=1))

    # Set at start-up by the module named, from the settings above; never from the environment.
    #: Hash of every template and static file, part of every ETag (`web.init_app`).
    BUILD_ID: str
    #: When this process started: the Last-Modified floor of cached answers (`web.init_app`).
    STARTED_AT: datetime
    #: The public half of VAPID_PRIVATE_KEY, handed to browsers (`notify.vapid.init_app`).
    VAPID_PUBLIC_KEY: str

    @classmethod
    def settings(cls) -> dict[str, Setting[Any]]:
        """Every declared setting by name, in the order declared."""
        return {name: value for name, value in vars(cls).items() if isinstance(value, Setting)}

    @classmethod
    def from_env(
        cls, instance_path: str, environ: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Build the Flask config mapping from `environ` (default: os.environ)."""
        env = os.environ if environ is None else environ
        config = {name: setting.read(env) for name, setting in cls.settings().items()}
        production = config["ENV_NAME"] in PRODUCTION_NAMES
        if not config["SECRET_KEY"]:
            if production:
                raise ConfigError("SECRET_KEY must be set when COMPANION_ENV=production.")
            config["SECRET_KEY"] = _instance_secret(Path(instance_path) / "secret_key")
        database_url: str = config["DATABASE_URL"]
        if not database_url:
            if production:
                raise ConfigError("DATABASE_URL must be set when COMPANION_ENV=production.")
            database_url = "sqlite:///" + str(Path(instance_path) / "companion.db")
        for scheme in ("postgres://", "postgresql://"):
            if database_url.startswith(scheme):
                database_url = "postgresql+psycopg://" + database_url.removeprefix(scheme)
        config["DATABASE_URL"] = database_url
        if production and not config["VAPID_PRIVATE_KEY"]:
            raise ConfigError(
                "VAPID_PRIVATE_KEY must be set when COMPANION_ENV=production "
                "(every app server and worker must sign with the same key)."
            )
        config["PUBLIC_URL"] = _public_url(config["PUBLIC_URL"], env, production=production)
        config["LIVE_URL"] = _live_url(config, production=production)
        if production and config["TRUSTED_HOSTS"] is None:
            config["TRUSTED_HOSTS"] = [urlsplit(config["PUBLIC_URL"]).hostname or ""]
        config["PUSH_ALLOW_HTTP"] = config["PUSH_ALLOW_HTTP"] and not production
        config["PHOTO_IMPORT_ALLOW_LOCAL"] = config["PHOTO_IMPORT_ALLOW_LOCAL"] and not production
        config["HSTS"] = production
        config["SESSION_COOKIE_SECURE"] = production
        config["MAIL_USE_STARTTLS"] = config["MAIL_USE_STARTTLS"] and not config["MAIL_USE_TLS"]
        config["MAIL_FOLDER"] = config["MAIL_FOLDER"] or str(Path(instance_path) / "mail")
        if production:
            cls._check_mail(config)
        return config

    @classmethod
    def _check_mail(cls, config: dict[str, Any]) -> None:
        """Production needs a real mail server (resets and invitations must reach people) and
        never sends an SMTP password in clear."""
        if not config["MAIL_SERVER"]:
            raise ConfigError(
                "MAIL_SERVER must be set when COMPANION_ENV=production "
                "(password resets and invitations go by email)."
            )
        if config["MAIL_SENDER"] == cls.MAIL_SENDER:
            raise ConfigError("MAIL_SENDER must be set when COMPANION_ENV=production.")
        if config["MAIL_PASSWORD"] and not (config["MAIL_USE_TLS"] or config["MAIL_USE_STARTTLS"]):
            raise ConfigError(
                "MAIL_PASSWORD would travel in clear: set MAIL_USE_TLS or MAIL_USE_STARTTLS."
            )


def _public_url(given: str, env: Mapping[str, str], *, production: bool) -> str:
    """PUBLIC_URL as given (already an origin), or the embedded default from HOST and PORT; in
    production it must be given, and https."""
    if not given:
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
        port = Setting(5000, integer(minimum=1, maximum=65535), env="PORT").read(env)
        try:
            given = origin(f"http://{host}:{port}")
        except ValueError as error:
            raise ConfigError(f"HOST={host!r}: {error}") from None
    if production and urlsplit(given).scheme != "https":
        raise ConfigError("PUBLIC_URL must be an https:// address in production.")
    return given


def _live_url(config: dict[str, Any], *, production: bool) -> str | None:
    """The live stream's origin, "" for this app's own (LIVE_URL=same, production's default),
    None for none."""
    given = config["LIVE_URL"].strip()
    if given == "off":
        return None
    if given == "same" or (production and not given):
        return ""
    if given:
        try:
            return origin(given)
        except ValueError as error:
            raise ConfigError(f"LIVE_URL {error}") from None
    public = urlsplit(config["PUBLIC_URL"])
    host = public.netloc.rsplit(":", 1)[0] if public.port else public.netloc
    return f"{public.scheme}://{host}:{config['LIVE_PORT']}"


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
