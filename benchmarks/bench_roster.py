"""Roster queries on a generated roster: prints milliseconds, asserts nothing.

    python -m benchmarks.bench_roster [N]      # default 100000 people, in a temporary SQLite file
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from models import roster
from models.catalog import load_catalogs
from models.db import open_database
from models.fields import PERSON_FIELDS
from models.roster import RosterQuery
from models.store import add_unit, ensure_context, set_facts, upsert_people
from sample_data.generator import FACT_COLUMNS, people


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {(time.perf_counter() - start) * 1000:8.1f} ms")
    return result


def main(n: int) -> None:
    catalogs = load_catalogs()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        add_unit(db, catalogs, "BENCH", "Bench", "district", ["general_education"])
        ctx = ensure_context(db, "BENCH", 2024)
        rows = []
        for p in people(n, seed=1):
            fields = {k: p[k] for k in PERSON_FIELDS}
            fields["birth_year"] = int(fields["birth_year"])
            rows.append((fields, {k: p[k] for k in FACT_COLUMNS if p.get(k) not in (None, "")}))

        def load():
            with db.write() as s:
                upsert_people(s, catalogs, ctx.unit.id, ctx.assessment.id, rows)

        timed(f"load {n} people (one transaction)", load)
        aid = ctx.assessment.id
        everyone = RosterQuery(aid)
        total = timed("count (whole roster)", lambda: roster.count(db, everyone))
        for q, label in ((everyone, "name"), (everyone.with_(sort="code"), "code"),
                         (everyone.with_(sort="department"), "department"),
                         (everyone.with_(sort="digital_training"), "fact digital_training")):
            for offset in (0, total // 2, total - 100):
                timed(f"window of 100 at {offset}, by {label}", lambda: roster.window(db, q, offset, 100, total))
        staff = RosterQuery(aid, kind="staff")
        timed("filter: count staff", lambda: roster.count(db, staff))
        timed("filter: staff without digital training", lambda: roster.count(
            db, roster.with_filter(staff, "digital_training", "0")))
        timed("search 'nguyen van': count", lambda: roster.count(db, everyone.with_(search="nguyen van")))
        ids = timed("select all staff (ids)", lambda: roster.ids(db, staff))
        changes = {"language_cert": "1"}
        changing = timed(f"preview: how many of {len(ids)} would change", lambda: roster.count_changing(db, aid, ids, changes))
        timed(f"batch set language_cert for {len(ids)} ({changing} change)",
              lambda: set_facts(db, catalogs, aid, ids, changes, source="tui"))
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
