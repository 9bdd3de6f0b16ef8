"""The whole dossier set: four documents from templates and the summary workbook.

Every document is rendered in memory first, so a broken template stops the export before any
file is written; each file is then written whole or not at all (``files.atomic_write``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.documents import render_bytes
from hoctap.models.dossier_context import build_context
from hoctap.models.errors import HoctapError
from hoctap.models.files import atomic_write, os_reason, safe_name
from hoctap.models.i18n import tr, tr_in
from hoctap.models.report import write_report
from hoctap.models.units import Context

# template file -> the words of its output file name; the workbook is the fifth file
DOCUMENTS = (("01_decision.docx", "decision"), ("02_report.docx", "report"), ("03_request.docx", "request"),
             ("04_evidence.docx", "evidence"))

Step = Callable[[int, int], None]  # (files done, files in all)


def file_name(ctx: Context, seq: int, kind: str, lang: str, suffix: str) -> str:
    """``<UNITCODE>_<year>_NN_<words>.docx``, the same scheme for every file of the set."""
    return safe_name(f"{ctx.unit.code}_{ctx.assessment.year}_{seq:02d}_{tr_in(lang, f'doc.file.{kind}')}", suffix)


def export_dossier(db: Database, catalogs: Catalogs, ctx: Context, out_dir: str | Path, *, level: int | None = None,
                   lang: str = "vi", progress: Step | None = None, made: date | None = None) -> list[Path]:
    """Write the dossier set into ``out_dir`` (created if missing); returns the paths written."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise HoctapError(tr("doc.out_not_folder", path=out))
    total = len(DOCUMENTS) + 1
    context = build_context(db, catalogs, ctx, level, lang=lang, made=made)
    rendered = []
    for seq, (template, kind) in enumerate(DOCUMENTS, 1):
        rendered.append((out / file_name(ctx, seq, kind, lang, ".docx"), render_bytes(template, context)))
    try:  # whether the folder is ours decides what a failure may take away again
        out.mkdir(parents=True)
        made_folder = True
    except FileExistsError:
        made_folder = False
    except OSError as e:
        raise HoctapError(tr("files.write_failed", path=out, reason=os_reason(e))) from None
    written = []
    try:
        for path, data in rendered:
            with atomic_write(path) as f:
                f.write(data)
            written.append(path)
            if progress:
                progress(len(written), total)
        book = out / file_name(ctx, total, "summary", lang, ".xlsx")
        write_report(db, catalogs, ctx, level, book, lang=lang, made=made)
        written.append(book)
    except BaseException:
        if made_folder:  # a set that could not be written whole: only what this run wrote goes
            for path in written:
                path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                out.rmdir()  # stays if anyone else put a file in it meanwhile
        raise
    if progress:
        progress(total, total)
    return written
