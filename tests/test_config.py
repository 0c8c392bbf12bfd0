from __future__ import annotations

import stat
from pathlib import Path

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
