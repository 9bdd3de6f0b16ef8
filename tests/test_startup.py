"""Start-up cost of the command line: what importing it and running ``status`` load (in a fresh
interpreter, read back from ``sys.modules``), and the on-disk cache of validated catalogs."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hoctap.models import catalog
from hoctap.models.catalog import SHIPPED_DIR, CatalogError, load_catalogs

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "hoctap.models.importer", "hoctap.models.catalog",
         "hoctap.models.db")
NOT_FOR_STATUS = ("hoctap.models.importer", "hoctap.models.report", "hoctap.models.documents",
                  "hoctap.models.dossier_export", "hoctap.models.export", "xlsxwriter", "python_calamine", "textual")


def _loaded(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)), file=sys.__stdout__)"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=os.environ)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def _any(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_importing_the_cli_loads_no_database_layer_catalogs_or_importer():
    assert _any(_loaded("import hoctap.tui.cli"), HEAVY) == []


def test_help_loads_no_database_layer_either():
    loaded = _loaded("import contextlib, io\nfrom hoctap.tui.cli import main\n"
                     "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                     "    main(['dossier', '--help'])")
    assert _any(loaded, HEAVY) == []


def test_status_loads_no_importer_report_documents_or_xlsxwriter(db_url, demo):
    loaded = _loaded("import contextlib, io\nfrom hoctap.tui.cli import main\n"
                     "with contextlib.redirect_stdout(io.StringIO()):\n"
                     f"    code = main(['--db', {db_url!r}, 'status', '--unit', 'THCS-LQD', '--year', '2024', '--json'])\n"
                     "assert code in (0, 1), code")
    assert "hoctap.models.meters" in loaded  # it did evaluate
    assert _any(loaded, NOT_FOR_STATUS) == []


# ---- the cache of validated catalogs -----------------------------------------------------------

def _cache_files() -> list[Path]:
    return sorted((Path(os.environ["XDG_CACHE_HOME"]) / "hoctap" / "catalogs").glob("*.pickle"))


def test_the_second_load_uses_the_cache(monkeypatch):
    first = load_catalogs()
    [cached] = _cache_files()
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700

    def refuse(path):  # the validation of one file: must not run now
        raise AssertionError(f"validated {path} instead of using the cache")

    monkeypatch.setattr(catalog, "read_file", refuse)
    second = load_catalogs()
    assert second.units.keys() == first.units.keys() and second.facts == first.facts
    assert second.for_level("district", 1).entry("C3.1") == first.for_level("district", 1).entry("C3.1")


def test_editing_a_catalog_file_invalidates_the_cache(tmp_path):
    (tmp_path / "mine.toml").write_text((SHIPPED_DIR / "c24-district-l1.toml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    before = load_catalogs([tmp_path])
    text = (tmp_path / "mine.toml").read_text(encoding="utf-8")
    label = before.units["c24-district-l1"].vi
    (tmp_path / "mine.toml").write_text(text.replace(label, label + " (sửa)", 1), encoding="utf-8")
    after = load_catalogs([tmp_path])
    assert after.units["c24-district-l1"].vi == label + " (sửa)"
    assert len(_cache_files()) == 1  # the stale one is gone


def test_a_broken_catalog_fails_as_before_even_after_a_good_load(tmp_path):
    path = tmp_path / "c24-district-l1.toml"
    text = (SHIPPED_DIR / "c24-district-l1.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    load_catalogs([tmp_path])
    path.write_text(text.replace("level = 1", 'level = "1"', 1), encoding="utf-8")
    with pytest.raises(CatalogError) as broken:
        load_catalogs([tmp_path])
    assert broken.value.path == str(path) and broken.value.key == "level"
    with pytest.raises(CatalogError):  # and again: a failure is never cached
        load_catalogs([tmp_path])


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"units": {}}), b"\x80\x05garbage"])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(content):
    load_catalogs()
    [cached] = _cache_files()
    cached.write_bytes(content)
    cats = load_catalogs()
    assert "c24-district-l1" in cats.units
    key, cached_cats = pickle.loads(cached.read_bytes())
    assert key == cached.stem and cached_cats.units.keys() == cats.units.keys()


def test_a_cache_built_for_other_files_is_not_read_under_this_name(monkeypatch):
    """Someone renames (or links) an older pickle to the current key: it says what it was built for."""
    load_catalogs()
    [cached] = _cache_files()
    _, cats = pickle.loads(cached.read_bytes())
    cached.write_bytes(pickle.dumps(("0" * 64, cats)))
    calls = []
    real = catalog.read_file
    monkeypatch.setattr(catalog, "read_file", lambda path: calls.append(path) or real(path))
    load_catalogs()
    assert calls
    link = cached.with_name("elsewhere.pickle")
    cached.rename(link)
    cached.symlink_to(link)
    calls.clear()
    load_catalogs()
    assert calls  # never read through a link


def test_a_cache_file_others_may_write_is_not_read(monkeypatch):
    load_catalogs()
    [cached] = _cache_files()
    cached.chmod(0o666)
    calls = []
    real = catalog.read_file
    monkeypatch.setattr(catalog, "read_file", lambda path: calls.append(path) or real(path))
    load_catalogs()
    assert calls  # validated again, not read from the writable file
    [rewritten] = _cache_files()
    assert stat.S_IMODE(rewritten.stat().st_mode) == 0o600


def test_an_unwritable_cache_directory_only_costs_the_validation(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the directory would go
    assert "c24-district-l1" in load_catalogs().units
