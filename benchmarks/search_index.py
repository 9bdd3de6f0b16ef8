"""The roster search at a size, index against scan: count and first window of 100, as the roster
screen's load does for a keystroke; best of 5, in ms.

    python -m benchmarks.search_index build sqlite:////tmp/m.db 1000000
    python -m benchmarks.search_index query sqlite:////tmp/m.db lqd0012345 "nguyen van tuan" khanh

``build`` writes generated people straight into a fresh database (no parsing, no facts), then
fills the index (``search_index.catch_up``). "scan" runs the same queries without the SQLite
index; on PostgreSQL, compare with ``DROP INDEX ix_person_search_trgm`` instead.
"""
import sys
import time

from sqlalchemy import text

from hoctap.models import i18n, roster, search_index
from hoctap.models.catalog import load_catalogs
from hoctap.models.db import open_database
from hoctap.models.people import search_columns
from hoctap.models.roster import RosterQuery
from hoctap.models.strings import CORE
from hoctap.models.units import add_unit, ensure_context
from hoctap.sample_data.generator import people


def build(db, n: int) -> None:
    add_unit(db, load_catalogs(), "S1", "Trường thử", "district", ["public_service", "general_education"])
    ctx = ensure_context(db, "S1", 2024)
    keys: dict[str, dict] = {}
    rows = []
    for i, p in enumerate(people(n, seed=3, code_prefix="LQD"), start=1):
        k = keys.setdefault(p["full_name"], search_columns("", p["full_name"]))
        rows.append(dict(i=i, u=ctx.unit.id, c=p["code"], f=p["full_name"], k=p["kind"],
                         s=f"{p['code'].lower()} {k['search'].strip()}", o=k["sort_key"]))
    with db.write() as s:
        s.execute(text("INSERT INTO person (id, unit_id, code, full_name, kind, search, sort_key, version) "
                       "VALUES (:i, :u, :c, :f, :k, :s, :o, 1)"), rows)
        s.execute(text("INSERT INTO roster_entry (assessment_id, person_id, version) SELECT :a, id, 1 FROM person"),
                  {"a": ctx.assessment.id})
    t = time.perf_counter()
    done = search_index.catch_up(db)
    print(f"{n} people; search_index.catch_up indexed {done} in {time.perf_counter() - t:.1f} s")


def best(fn) -> tuple[float, object]:
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        out = fn()
        runs.append((time.perf_counter() - t, out))
    return min(runs, key=lambda r: r[0])


def query(db, words: list[str]) -> None:
    aid = ensure_context(db, "S1", 2024).assessment.id
    print(f"the screen's total, roster.count of everyone: {best(lambda: roster.count(db, RosterQuery(aid)))[0] * 1000:.0f} ms")

    def keystroke(q):
        n = roster.count(db, q)
        roster.window(db, q, 0, 100, n)
        return n

    real = search_index.candidates, search_index.matching
    for word in words:
        q = RosterQuery(aid, search=word)
        out = []
        for label, (cand, mat) in (("index", real), ("scan", (lambda w: [], lambda w: None))):
            search_index.candidates, search_index.matching = cand, mat
            took, n = best(lambda: keystroke(q))
            out.append(f"{label} {took * 1000:.0f} ms ({n} found)")
        search_index.candidates, search_index.matching = real
        print(f"{word!r}: " + "; ".join(out))


if __name__ == "__main__":
    i18n.register(*CORE)
    if len(sys.argv) < 3 or sys.argv[1] not in ("build", "query") or (sys.argv[1] == "build" and len(sys.argv) < 4):
        sys.exit(__doc__)
    mode, url, *rest = sys.argv[1:]
    database = open_database(url)
    if mode == "build":
        build(database, int(rest[0]))
    else:
        query(database, rest or ["lqd0012345", "nguyen van tuan", "khanh", "anh", "an"])
