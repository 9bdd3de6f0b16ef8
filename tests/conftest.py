"""Shared fixtures: an isolated config and data directory per test, a fresh database, catalogs,
and the demo unit.

Every test that uses ``db_url``/``db`` runs twice: on a fresh SQLite file and on a fresh schema
of the PostgreSQL server named by ``$HOCTAP_TEST_PG_URL`` (``.ci/run`` starts one). Without that
variable the PostgreSQL runs are skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from hoctap.models import i18n
from hoctap.models.catalog import load_catalogs
from hoctap.models.db import open_database
from hoctap.models.strings import CORE
from hoctap.tui.cli import CLI_TABLES

PG_URL = os.environ.get("HOCTAP_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    """A cache directory of the session's own: catalogs loaded at import or per session (before
    ``isolated_env``) must not write the validated-catalog cache into the real user's."""
    config._hoctap_cache = tempfile.mkdtemp(prefix="hoctap-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config._hoctap_cache


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_hoctap_cache", ""), ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def strings():
    """Every face's words, as a face registers them at start-up."""
    i18n.register(*CORE, *CLI_TABLES)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads or writes the real user's config, data or state."""
    monkeypatch.setenv("HOCTAP_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HOCTAP_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    i18n.set_lang("vi")
    yield
    i18n.set_lang("vi")


@pytest.fixture(scope="session")
def catalogs():
    return load_catalogs()


@pytest.fixture(scope="session")
def pg_admin():
    """An autocommit engine on the test server (session-wide), or skip/fail when there is none."""
    if not PG_URL:
        message = "PostgreSQL tests need $HOCTAP_TEST_PG_URL (.ci/run starts a server)"
        if IN_CI:
            pytest.fail(message + "; in CI they must run, not be skipped")
        pytest.skip(message)
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin):
    """A fresh, empty schema on the test server, as a URL whose search_path points at it.
    (Measured: ~65 ms per test with the Alembic upgrade, against ~83 ms for a database
    created from a template.)"""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        with pg_admin.connect() as conn:
            conn.execute(text("SET lock_timeout = '5s'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    except OperationalError:
        pass  # a killed client's backend still holds a lock: the cluster is thrown away anyway


@pytest.fixture
def sqlite_url(tmp_path):
    """For tests about SQLite files themselves (permissions, WAL, integrity_check)."""
    return f"sqlite:///{tmp_path / 'hoctap.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def demo(db, catalogs):
    """The demo unit THCS-LQD 2024 (60 staff, 800 pupils)."""
    from hoctap.sample_data.demo import build_demo

    return build_demo(db, catalogs)
