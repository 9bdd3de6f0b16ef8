"""Shared fixtures: an isolated config and data directory per test, a fresh database, catalogs,
and the demo unit."""

from __future__ import annotations

import pytest

from models import i18n
from models.catalog import load_catalogs
from models.db import open_database


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads or writes the real user's config, data or state."""
    monkeypatch.setenv("HOCTAP_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("HOCTAP_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    i18n.set_lang("vi")
    yield
    i18n.set_lang("vi")


@pytest.fixture(scope="session")
def catalogs():
    return load_catalogs()


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hoctap.db'}"


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def demo(db, catalogs):
    """The demo unit THCS-LQD 2024 (60 staff, 800 pupils)."""
    from sample_data.demo import build_demo

    return build_demo(db, catalogs)
