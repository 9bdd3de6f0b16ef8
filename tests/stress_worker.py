"""One editor of the concurrency stress test (run as its own process by test_concurrency.py).

    python tests/stress_worker.py URL UNIT YEAR SEED N

Makes N random edits on the shared roster: single-person edits through ``save_person`` (with
the versions it loaded, as an edit form does) and small batches through ``set_facts``. Prints
one JSON line: how many edits committed a batch, how many were refused as stale, and every
error (the test expects none)."""

from __future__ import annotations

import json
import random
import sys
import traceback

from sqlalchemy import select

from hoctap.models import i18n
from hoctap.models.catalog import load_catalogs
from hoctap.models.db import open_database
from hoctap.models.errors import StaleEdit
from hoctap.models.facts import set_facts
from hoctap.models.fields import parse_fact
from hoctap.models.people import person_facts, save_person
from hoctap.models.sql import PT, RE
from hoctap.models.strings import CORE
from hoctap.models.units import find_context

FACTS = {"discipline": ["1", "0", ""], "digital_training": ["1", "0", ""], "language_cert": ["1", "0"],
         **{f"lc_{i}": [str(v) for v in range(4, 11)] + [""] for i in (1, 2, 3)}}
DEPARTMENTS = ["Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", None]


def run(url: str, unit: str, year: int, seed: int, n: int) -> dict:
    rng = random.Random(seed)
    catalogs = load_catalogs()
    db = open_database(url)
    ctx = find_context(db, unit, year)
    aid = ctx.assessment.id
    with db.read() as s:
        people = sorted(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == aid)).scalars())
    out = {"committed": 0, "stale": 0, "unchanged": 0, "errors": []}
    for _ in range(n):
        name = rng.choice(list(FACTS))
        value = parse_fact(catalogs, name, rng.choice(FACTS[name]))
        try:
            if rng.random() < 0.5:
                pid = rng.choice(people)
                with db.read() as s:  # what an edit form loads: the record and its versions
                    version, department = s.execute(select(PT.c.version, PT.c.department).where(PT.c.id == pid)).one()
                    roster_version = s.execute(select(RE.c.version).where(
                        RE.c.assessment_id == aid, RE.c.person_id == pid)).scalar()
                old = person_facts(db, ctx, [pid])[pid].get(name)
                fields = {"department": rng.choice(DEPARTMENTS)} if rng.random() < 0.3 else {}
                save_person(db, catalogs, ctx, pid, fields, {name: value}, expected_version=version,
                            expected_roster_version=roster_version, source="stress")
                # refused if anything changed since loading, so the loaded values tell
                changed = old != value or ("department" in fields and fields["department"] != department)
            else:
                batch, _ = set_facts(db, catalogs, ctx, rng.sample(people, rng.randint(2, 8)), {name: value},
                                     source="stress")
                changed = batch is not None
            out["committed" if changed else "unchanged"] += 1
        except StaleEdit:
            out["stale"] += 1
        except Exception as e:  # noqa: BLE001 - reported to the test, which expects none
            out["errors"].append(f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
    db.dispose()
    return out


if __name__ == "__main__":
    i18n.register(*CORE)  # a stale edit is reported in words
    url, unit, year, seed, n = sys.argv[1:6]
    print(json.dumps(run(url, unit, int(year), int(seed), int(n))))
