from __future__ import annotations

import inspect
import re
import stat
from pathlib import Path

import flask
import pytest

from companion.config import Config, ConfigError


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = Config.from_env(str(tmp_path), {})
    second = Config.from_env(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 60
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    assert Config.from_env(str(tmp_path), {"SECRET_KEY": "x"})["DATABASE_URL"] == (
        f"sqlite:///{tmp_path}/companion.db"
    )


def test_postgres_urls_use_psycopg_3(tmp_path: Path) -> None:
    config = Config.from_env(
        str(tmp_path), {"SECRET_KEY": "x", "DATABASE_URL": "postgres://u:p@h/db"}
    )
    assert config["DATABASE_URL"] == "postgresql+psycopg://u:p@h/db"


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        Config.from_env(
            str(tmp_path), {"COMPANION_ENV": "production", "DATABASE_URL": "postgresql://h/db"}
        )
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_a_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL must be set"):
        Config.from_env(str(tmp_path), {"COMPANION_ENV": "production", "SECRET_KEY": "s"})


def test_production_refuses_to_start_without_a_vapid_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="VAPID_PRIVATE_KEY must be set"):
        Config.from_env(
            str(tmp_path),
            {"COMPANION_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": "postgresql://h/db"},
        )


PRODUCTION = {
    "COMPANION_ENV": "production",
    "SECRET_KEY": "s",
    "DATABASE_URL": "postgresql://h/db",
    "VAPID_PRIVATE_KEY": "k",
    "PUBLIC_URL": "https://companion.example.org",
}


def test_mail_defaults_to_a_folder_in_the_instance_outside_production(tmp_path: Path) -> None:
    config = Config.from_env(str(tmp_path), {"SECRET_KEY": "x"})
    assert (config["MAIL_SERVER"], config["MAIL_FOLDER"]) == (None, str(tmp_path / "mail"))
    assert (config["MAIL_PORT"], config["MAIL_USE_STARTTLS"], config["MAIL_USE_TLS"]) == (
        587,
        True,
        False,
    )


def test_production_refuses_to_start_without_a_mail_server(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAIL_SERVER must be set"):
        Config.from_env(str(tmp_path), PRODUCTION)
    with pytest.raises(ConfigError, match="MAIL_SENDER must be set"):
        Config.from_env(str(tmp_path), {**PRODUCTION, "MAIL_SERVER": "smtp.example.org"})


def test_production_never_sends_the_smtp_password_in_clear(tmp_path: Path) -> None:
    mail = {
        **PRODUCTION,
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_SENDER": "Conf <conf@example.org>",
        "MAIL_USERNAME": "conf",
        "MAIL_PASSWORD": "p",
    }
    with pytest.raises(ConfigError, match="MAIL_PASSWORD would travel in clear"):
        Config.from_env(str(tmp_path), {**mail, "MAIL_USE_STARTTLS": "no"})
    config = Config.from_env(str(tmp_path), {**mail, "MAIL_USE_TLS": "1", "MAIL_PORT": "465"})
    assert (config["MAIL_USE_TLS"], config["MAIL_USE_STARTTLS"], config["MAIL_PORT"]) == (
        True,
        False,
        465,
    )


def test_production_needs_an_https_public_url(tmp_path: Path) -> None:
    mail = {**PRODUCTION, "MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "c@example.org"}
    without = {k: v for k, v in mail.items() if k != "PUBLIC_URL"}
    with pytest.raises(ConfigError, match="PUBLIC_URL must be set"):
        Config.from_env(str(tmp_path), without)
    with pytest.raises(ConfigError, match="must be an https:// address"):
        Config.from_env(str(tmp_path), {**mail, "PUBLIC_URL": "http://companion.example.org"})
    with pytest.raises(ConfigError, match="must look like"):
        Config.from_env(str(tmp_path), {**mail, "PUBLIC_URL": "https://x.example/app"})
    config = Config.from_env(str(tmp_path), {**mail, "PUBLIC_URL": "https://x.example/"})
    assert (config["PUBLIC_URL"], config["TRUSTED_HOSTS"], config["HSTS"]) == (
        "https://x.example",
        ["x.example"],
        True,
    )


def test_the_embedded_default_public_url_follows_host_and_port(tmp_path: Path) -> None:
    assert Config.from_env(str(tmp_path), {"SECRET_KEY": "x"})["PUBLIC_URL"] == (
        "http://127.0.0.1:5000"
    )
    config = Config.from_env(str(tmp_path), {"SECRET_KEY": "x", "HOST": "0.0.0.0", "PORT": "8000"})
    assert (config["PUBLIC_URL"], config["TRUSTED_HOSTS"]) == ("http://127.0.0.1:8000", None)


# --- Each setting declared once, and read through its declaration ------------------------------

ROOT = Path(__file__).resolve().parent.parent
#: Keys that Flask and its extensions define themselves (set by `init_app`s, or left default).
LIBRARY_KEYS = frozenset(flask.Flask.default_config)
LIBRARY_PREFIXES = ("WTF_", "REMEMBER_COOKIE_")  # Flask-WTF, Flask-Login
CONFIG_READ = re.compile(
    r"""config(?:\[\s*|\.(?:get|setdefault|pop)\(\s*)["']([A-Z][A-Z0-9_]*)["']"""
)


def _declared() -> set[str]:
    return set(Config.settings()) | set(Config.__annotations__)


def _config_reads() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "companion").rglob("*.py"))]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for key in CONFIG_READ.findall(line):
                found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{number}")
    return found


def test_every_config_key_the_code_reads_is_declared() -> None:
    reads = _config_reads()
    assert len(reads) > 20  # the pattern still finds the reads
    undeclared = {
        key: where
        for key, where in reads.items()
        if key not in _declared()
        and key not in LIBRARY_KEYS
        and not key.startswith(LIBRARY_PREFIXES)
    }
    assert undeclared == {}


def test_every_setting_has_a_doc_comment() -> None:
    lines = inspect.getsource(Config).splitlines()
    undocumented = []
    for name in sorted(_declared()):
        index = next(i for i, line in enumerate(lines) if re.match(rf"    {name}\b[ :=]", line))
        if not lines[index - 1].strip().startswith("#:"):
            undocumented.append(name)
    assert undocumented == []


def test_from_env_gives_every_setting_and_only_those(tmp_path: Path) -> None:
    assert set(Config.from_env(str(tmp_path), {"SECRET_KEY": "x"})) == set(Config.settings())


def test_settings_are_read_from_their_own_variables(tmp_path: Path) -> None:
    config = Config.from_env(
        str(tmp_path),
        {
            "SECRET_KEY": "x",
            "PAGE_CACHE_SIZE": "7",
            "PUSH_LEASE_SECONDS": "5",
            "PUSH_SERVICE_HOSTS": " a.example , *.b.example,",
            "TRUSTED_HOSTS": "c.example",
            "PUSH_ALLOW_HTTP": "yes",
            "COMPANION_NOW": "2020-03-02T10:30:00+00:00",
            "VAPID_PRIVATE_KEY": "line one\\nline two",
            "MAIL_USE_STARTTLS": "off",
        },
    )
    assert (
        config["PAGE_CACHE_SIZE"],
        config["PUSH_LEASE_SECONDS"],
        config["PUSH_SERVICE_HOSTS"],
        config["TRUSTED_HOSTS"],
        config["PUSH_ALLOW_HTTP"],
        config["FIXED_NOW"],
        config["VAPID_PRIVATE_KEY"],
        config["MAIL_USE_STARTTLS"],
    ) == (
        7,
        5,
        ("a.example", "*.b.example"),
        ["c.example"],
        True,
        "2020-03-02T10:30:00+00:00",
        "line one\nline two",
        False,
    )


def test_blank_variables_mean_the_default(tmp_path: Path) -> None:
    config = Config.from_env(
        str(tmp_path), {"SECRET_KEY": "x", "PAGE_CACHE_SIZE": " ", "PUSH_SERVICE_HOSTS": ""}
    )
    assert (config["PAGE_CACHE_SIZE"], config["PUSH_SERVICE_HOSTS"]) == (
        Config.PAGE_CACHE_SIZE,
        Config.PUSH_SERVICE_HOSTS,
    )


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("PAGE_CACHE_SIZE", "many", "must be a whole number"),
        ("PAGE_CACHE_SIZE", "0", "must be at least 1"),
        ("MAIL_PORT", "70000", "must be at most 65535"),
        ("PUSH_ALLOW_HTTP", "maybe", "must be one of 1, true"),
        ("PUSH_SERVICE_HOSTS", ", ,", "must name at least one"),
        ("COMPANION_NOW", "tomorrow", "must be an ISO 8601 date and time"),
        ("PUBLIC_URL", "companion.example.org", "must look like"),
        ("PORT", "http", "must be a whole number"),
    ],
)
def test_a_malformed_variable_is_refused_by_name(
    tmp_path: Path, variable: str, value: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{variable}={value!r}: {problem}"):
        Config.from_env(str(tmp_path), {"SECRET_KEY": "x", variable: value})


def test_push_allow_http_is_never_on_in_production(tmp_path: Path) -> None:
    mail = {**PRODUCTION, "MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "c@example.org"}
    config = Config.from_env(str(tmp_path), {**mail, "PUSH_ALLOW_HTTP": "1"})
    assert (config["PUSH_ALLOW_HTTP"], config["SESSION_COOKIE_SECURE"]) == (False, True)
