"""Fuzzing the transfer-file reader: a seeded generator feeds malformed TOML (valid-looking
bundles with mutated types and values, deep nesting, NULs, huge numbers, truncated files,
random bytes) to ``bundle import``. Each ends in a user error or a correct import, never
another exception, and a refused file leaves the database as it was.

``HOCTAP_FUZZ_SEED`` and ``HOCTAP_FUZZ_COUNT`` replay or widen a run; the seed is printed."""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
import tomllib

import pytest
import tomli_w
from sqlalchemy import func, select

from hoctap.models.bundle import export_bundle, import_bundle
from hoctap.models.checklist import check_entries
from hoctap.models.db import DatabaseError
from hoctap.models.errors import USER_ERRORS
from hoctap.models.importer import import_roster
from hoctap.models.tables import (Assessment, AuditBatch, AuditChange, Person, PersonFact, RosterEntry, Unit,
                                  UnitEntryValue)
from hoctap.models.units import add_unit, find_context
from hoctap.tui.cli import main
from hoctap.sample_data.generator import people, write_csv

SEED = int(os.environ.get("HOCTAP_FUZZ_SEED", "20240917"))
COUNT = {"sqlite": int(os.environ.get("HOCTAP_FUZZ_COUNT", "3000")), "postgresql": 600}
TABLES = (Unit, Assessment, Person, RosterEntry, PersonFact, UnitEntryValue, AuditBatch, AuditChange)

WEIRD = ["", "   ", "\x00", "a\x00b", "P\u200b00001", "\x1b]0;pwned\x07", "\u202eevil", "x" * 5000, "ß", "D001",
         "có", "true", "2024", "-5", 0, -1, -5, 1, 2, 5, 11, 1899, 2024, 2101, 2**31, 2**63 - 1, -(2**63), 10**18,
         10**30, 2025, 2030, 1.5, float("inf"), float("nan"), True, False, [], ["a"], [1, [2]], {}, {"a": 1},
         dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 0)]


@pytest.fixture
def bundle_doc(catalogs, tmp_path):
    """A small exported assessment (5 people with facts, a ticked entry) as a TOML dict."""
    from hoctap.models.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'source.db'}")
    add_unit(db, catalogs, "FZ-1", "Trường Thử", "district", ["public_service", "general_education"])
    import_roster(db, catalogs, "FZ-1", 2024, write_csv(tmp_path / "p.csv", people(5, seed=3)))
    ctx = find_context(db, "FZ-1", 2024)
    check_entries(db, catalogs, ctx, {"C1.1": "có"}, evidence="Biên bản 3\ndòng 2", documents="QĐ 1")
    path = tmp_path / "b.toml"
    export_bundle(db, catalogs, ctx, path)
    db.dispose()
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _leaves(node, out, parent=None, key=None):
    out.append((parent, key))
    if isinstance(node, dict):
        for k, v in node.items():
            _leaves(v, out, node, k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _leaves(v, out, node, i)
    return out


def _mutated_doc(rng: random.Random, base: dict) -> bytes:
    doc = copy.deepcopy(base)
    for _ in range(rng.choice((1, 1, 2, 3))):
        parent, key = rng.choice([p for p in _leaves(doc, []) if p[0] is not None])
        action = rng.random()
        if action < 0.7:
            parent[key] = copy.deepcopy(rng.choice(WEIRD))
        elif action < 0.85:
            del parent[key]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "lc_99", "code", "facts", "value"])] = copy.deepcopy(rng.choice(WEIRD))
        else:
            parent.append(copy.deepcopy(rng.choice(WEIRD)))
    try:
        return tomli_w.dumps(doc).encode("utf-8")
    except (TypeError, ValueError):  # tomli-w cannot write that shape (e.g. a list of mixed tables)
        return tomli_w.dumps(base).encode("utf-8").replace(b"year = 2024", b"year = 99999999999999999999999")


def _case(rng: random.Random, base: dict, text: bytes) -> bytes:
    kind = rng.randrange(10)
    if kind < 5:
        return _mutated_doc(rng, base)
    if kind == 5:  # truncated
        return text[:rng.randrange(len(text))]
    if kind == 6:  # bytes flipped or NULs put in
        data = bytearray(text)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.choice((0, 0x1B, 0xFF, rng.randrange(256)))
        return bytes(data)
    if kind == 7:  # deep nesting
        n = rng.choice((50, 900, 2000, 5000))
        opener, closer = rng.choice((("[", "]"), ("{a=", "}")))
        return text + f"\ndeep = {opener * n}1{closer * n}\n".encode()
    if kind == 8:  # escapes of control characters and huge numbers where text or small numbers belong
        swap = rng.choice(((b'full_name = "', b'full_name = "\\u0000'), (b'code = "', b'code = "\\u001b[2J'),
                           (b"year = 2024", b"year = 1" + b"0" * rng.randint(10, 400)),
                           (b"level = 1", b"level = -99999999999999999999"),
                           (b'evidence = "', b'evidence = "\\u0007'), (b"lc_1 = ", b"lc_1 = 1e999 #")))
        return text.replace(*swap, 1)
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 600)))


def _snapshot(db):
    with db.read() as s:
        return [s.execute(select(func.count()).select_from(t)).scalar() for t in TABLES]


def test_the_bundle_reader_survives_malformed_files(db, db_url, catalogs, bundle_doc, tmp_path, capsys):
    backend, target, target_url = "postgresql" if db_url.startswith("postgresql") else "sqlite", db, db_url
    count, rng = COUNT[backend], random.Random(SEED)
    print(f"bundle fuzz: seed {SEED}, {count} files ({backend})")
    text = tomli_w.dumps(bundle_doc).encode("utf-8")
    before, outcomes = _snapshot(target), {"refused": 0, "imported": 0}
    for i in range(count):
        data = _case(rng, bundle_doc, text)
        where = f"seed {SEED}, case {i}: {data[:200]!r}"
        try:
            import_bundle(target, catalogs, data, name="fuzz.toml")
        except USER_ERRORS as e:
            # a DatabaseError is the server (busy, shared with other test runs), not the file
            assert "fuzz.toml" in str(e) or isinstance(e, DatabaseError), where
            assert _snapshot(target) == before, where
            outcomes["refused"] += 1
        except Exception as e:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{where}: {type(e).__name__}: {e}")
        else:
            outcomes["imported"] += 1
            before = _snapshot(target)
        if i % 250 == 0:  # and through the command line: exit 2, a message, no traceback
            path = tmp_path / "fuzz.toml"
            path.write_bytes(data)
            capsys.readouterr()
            code = main(["--lang", "en", "--db", target_url, "bundle", "import", str(path)])
            err = capsys.readouterr().err
            assert code in (0, 2) and "Traceback" not in err and "Internal error" not in err, where
            before = _snapshot(target)
    print(f"bundle fuzz: seed {SEED}: {outcomes}")
    assert outcomes["refused"] > count // 2
