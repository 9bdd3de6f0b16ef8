"""Exports replace their file whole or not at all, each through its own temporary file."""

from __future__ import annotations

import pytest

from hoctap.models.files import atomic_write
from hoctap.models.report import write_report
from hoctap.tui.cli import main

EXPORTS = {
    "report": ["export", "r.xlsx"],
    "roster": ["roster", "export", "r.csv"],
    "bundle": ["bundle", "export", "r.toml"],
}


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_exports_do_not_share_a_fixed_temporary_name(tmp_path, db_url, demo, kind):
    """Another writer's temporary file (here a folder in its way) does not stop an export,
    and the export leaves nothing of its own behind."""
    *command, name = EXPORTS[kind]
    out = tmp_path / "out"
    (out / f"{name}.part").mkdir(parents=True)
    assert main(["--db", db_url, *command, str(out / name), "--unit", "THCS-LQD", "--year", "2024"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [name, f"{name}.part"]
    assert (out / name).stat().st_size > 1000


def test_a_failed_export_leaves_the_old_file(tmp_path, db, catalogs, demo):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "r.xlsx"
    path.write_bytes(b"old")

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_report(db, catalogs, demo, None, path, progress=stop)
    assert path.read_bytes() == b"old" and [p.name for p in path.parent.iterdir()] == ["r.xlsx"]


def test_atomic_write(tmp_path):
    path = tmp_path / "a.bin"
    with atomic_write(path) as f:
        f.write(b"new")
        assert not path.exists()  # nothing is visible until the block completes
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]
    with pytest.raises(ValueError), atomic_write(path) as f:
        f.write(b"half")
        raise ValueError
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]
