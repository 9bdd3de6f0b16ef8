"""Collecting a folder of transfer files: the receiving office's January run.

Each file is imported all-or-nothing in its own transaction (``bundle.import_bundle``); a
refused file does not stop the run. The result is one line per file, in name order, for the
faces to print or tabulate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from hoctap.models.bundle import BundleError, BundleResult, import_bundle
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.i18n import tr

REASONS = ("damaged", "foreign", "catalog", "conflict", "present")


@dataclass
class FileResult:
    """One file of the folder: ``result`` when it came in, ``reason`` and ``message`` when not."""

    path: Path
    result: BundleResult | None = None
    reason: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def bundle_files(folder: str | Path) -> list[Path]:
    """The transfer files of a folder (``*.toml``, not in sub-folders), in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise HoctapError(tr("doc.out_not_folder", path=folder))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml" and p.is_file())


def collect_folder(db: Database, catalogs: Catalogs, folder: str | Path, *, replace: bool = False,
                   source_tag: str = "import", progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Import every transfer file of ``folder``; ``progress(done, total)`` after each file."""
    files = bundle_files(folder)
    out: list[FileResult] = []
    for i, path in enumerate(files):
        try:
            out.append(FileResult(path, import_bundle(db, catalogs, path, source_tag=source_tag, replace=replace)))
        except BundleError as e:
            out.append(FileResult(path, reason=e.reason, message=str(e)))
        if progress:
            progress(i + 1, len(files))
    return out


def reason_label(reason: str) -> str:
    return tr(f"collect.reason.{reason}")
