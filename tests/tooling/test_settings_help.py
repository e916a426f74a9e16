"""Settings helpers: a clear line when the MySQL driver is missing, a warning key."""

import environ
import pytest

from workshop import settings_help


def test_a_mysql_url_without_its_driver_exits_with_an_install_hint(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root:@127.0.0.1:3306/shop")
    monkeypatch.setattr(settings_help.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(SystemExit) as exit_:
        settings_help.database_from_env(environ.Env(), default="sqlite:///x")

    message = str(exit_.value)
    assert "mysqlclient is not installed" in message
    assert "libmariadb-dev pkg-config" in message
    assert "\n" not in message


def test_a_mysql_url_gives_mariadb_strict_utf8mb4(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://shop:pw@db:3306/shop")
    monkeypatch.setattr(settings_help, "_require_mysql_driver", lambda var: None)

    config = settings_help.database_from_env(environ.Env(), default="sqlite:///x")

    assert (config["ENGINE"], config["HOST"], config["NAME"]) == (
        "django.db.backends.mysql",
        "db",
        "shop",
    )
    assert config["OPTIONS"]["charset"] == "utf8mb4"


def test_no_url_means_the_embedded_sqlite_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = settings_help.database_from_env(environ.Env(), default="sqlite:////tmp/shop.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/shop.sqlite3"


def test_without_a_secret_key_the_development_key_is_used_with_a_warning(monkeypatch, capsys):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)

    assert settings_help.secret_key_from_env(environ.Env()) == settings_help.DEV_SECRET_KEY
    assert "DJANGO_SECRET_KEY is not set" in capsys.readouterr().err


def test_a_secret_key_from_the_environment_wins(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")

    assert settings_help.secret_key_from_env(environ.Env()) == "from-the-environment"
    assert capsys.readouterr().err == ""
