"""The distribution installs one import name, ``hoctap`` (plus its dist-info), and runs as
``python -m hoctap``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _site_packages(env: Path) -> Path:
    return next((env / "lib").glob("python3*/site-packages"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools never removes stale files from build/lib
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return next(out.glob("hoctap-*.whl"))


def test_the_wheel_adds_only_the_hoctap_import_name(wheel, tmp_path):
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    before = {p.name for p in _site_packages(env).iterdir()}
    proc = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    added = {p.name for p in _site_packages(env).iterdir()} - before
    assert {n for n in added if not n.endswith(".dist-info")} == {"hoctap"}
    installed = _site_packages(env) / "hoctap"
    for part in ("models", "tui", "screens", "screens/widgets", "sample_data", "models/migrations"):
        assert (installed / part / "__init__.py").is_file(), part
    assert (installed / "models" / "migrations" / "versions" / "0001_initial_schema.py").is_file()
    assert (installed / "models" / "catalogs" / "vocabulary.toml").is_file()
    assert (installed / "tui" / "app.tcss").is_file()
    assert (installed / "tui" / "web" / "templates" / "app_index.html").is_file()
    assert not (installed / "tests").exists() and not (installed / "benchmarks").exists()


def test_python_m_hoctap_prints_the_version():
    proc = subprocess.run([sys.executable, "-m", "hoctap", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("hoctap ") and proc.stdout.split()[1][0].isdigit()


def test_the_version_into_a_closed_pipe_is_no_error():
    read, write = os.pipe()
    os.close(read)  # as `hoctap --version | true` once true has exited
    try:
        proc = subprocess.run([sys.executable, "-m", "hoctap", "--version"], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    finally:
        os.close(write)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_postgresql_without_its_driver_says_which_extra_to_install(monkeypatch, capsys):
    import builtins

    from hoctap.tui.cli import main

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name.split(".")[0] == "psycopg":
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    monkeypatch.delitem(sys.modules, "psycopg", raising=False)
    code = main(["--db", "postgresql+psycopg://nobody@/nowhere", "unit", "list"])
    err = capsys.readouterr().err
    assert code == 2
    assert "hoctap[postgresql]" in err and "Traceback" not in err
