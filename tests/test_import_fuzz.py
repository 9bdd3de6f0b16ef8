"""Fuzzing the importer with a seeded generator of malformed CSV and XLSX files: each ends in
an ``ImportFailed`` with messages, or a correct import; never another exception, and a refusal
leaves the database as it was. HOCTAP_FUZZ_SEED / HOCTAP_FUZZ_CASES replay or widen a run."""

from __future__ import annotations

import codecs
import io
import os
import random
import zipfile

import pytest
import xlsxwriter
from sqlalchemy import func, select

from hoctap.models.db import open_database
from hoctap.models.importer import ImportFailed, import_roster
from hoctap.models.tables import AuditBatch, AuditChange, Person, PersonFact, RosterEntry
from hoctap.models.units import add_unit

SEED = int(os.environ.get("HOCTAP_FUZZ_SEED", "20240917"))
CASES = int(os.environ.get("HOCTAP_FUZZ_CASES", "2000"))
HEADER = ["Mã", "Họ và tên", "Đối tượng", "Giới tính", "Năm sinh", "Kỷ luật", "Chuyển đổi số"]
ROWS = [["GV001", "Nguyễn Văn An", "Giáo viên", "Nam", "1980", "có", "x"],
        ["HS002", "Trần Thị Hằng", "Học sinh", "nữ", "2012", "", "không"],
        ["GV003", "Lê Minh Châu", "Thành viên", "Nam", "", "0", "1"]]


def _csv(rng: random.Random, rows=None, header=None, delimiter=",") -> str:
    lines = [header or HEADER] + (rows if rows is not None else ROWS)
    return "".join(delimiter.join(f'"{c}"' if rng.random() < 0.2 else c for c in r) + "\r\n" for r in lines)


def _xlsx(rows) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("DS")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    return buf.getvalue()


def _mutate(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    i = rng.randrange(len(data))
    op = rng.randrange(5)
    if op == 0:
        return data[:i]  # truncated
    if op == 1:
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]  # one byte changed
    if op == 2:
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16))) + data[i:]
    if op == 3:
        return data[:i] + data[i + rng.randrange(1, 32):]  # bytes lost
    return data[:i] + b"\x00" + data[i:]


def make_case(rng: random.Random) -> tuple[str, str, bytes]:
    """(kind, file name, content) of one malformed or odd input."""
    kind = rng.choice(["random", "truncated", "mutated", "delimiter", "bom", "nul", "huge", "header", "quotes",
                       "mixed", "legacy", "zip", "zip-member", "empty", "rows", "utf16"])
    text = _csv(rng)
    if kind == "random":
        return kind, "r.csv", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2048)))
    if kind == "truncated":
        raw = text.encode()
        return kind, "t.csv", raw[:rng.randrange(len(raw))]
    if kind == "mutated":
        raw = text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16"]))
        for _ in range(rng.randrange(1, 4)):
            raw = _mutate(rng, raw)
        return kind, "m.csv", raw
    if kind == "delimiter":
        return kind, "d.csv", _csv(rng, delimiter=rng.choice([",", ";", "\t", "|", ":", " ", "\x1f"])).encode()
    if kind == "bom":
        bom = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8 * 2])
        return kind, "b.csv", bom + text.encode(rng.choice(["utf-8", "utf-16-le", "utf-16-be"]))
    if kind == "nul":
        raw = text.encode()
        i = rng.randrange(len(raw))
        return kind, "n.csv", raw[:i] + b"\x00" * rng.randrange(1, 300) + raw[i:]
    if kind == "huge":
        rows = [list(r) for r in ROWS]
        rows[rng.randrange(len(rows))][rng.randrange(len(HEADER))] = rng.choice("Aă\"\n,;") * rng.choice(
            [501, 5000, 200_000])
        return kind, "h.csv", _csv(rng, rows).encode()
    if kind == "header":
        header = list(HEADER)
        for _ in range(rng.randrange(1, 4)):
            header[rng.randrange(len(header))] = rng.choice(["", "Mã", "Họ và tên", "???", "code", "Tên", "x" * 300])
        return kind, "hd.csv", _csv(rng, header=header).encode()
    if kind == "quotes":
        raw = text
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(raw))
            raw = raw[:i] + '"' + raw[i:]
        return kind, "q.csv", raw.encode()
    if kind == "mixed":
        head, _, tail = text.partition("\r\n")
        return kind, "x.csv", (head + "\r\n").encode() + tail.encode(rng.choice(["cp1258", "cp1252", "latin-1", "utf-16"]),
                                                                     errors="replace")
    if kind == "legacy":
        return kind, "l.csv", text.encode(rng.choice(["cp1258", "cp1252", "latin-1"]), errors="replace")
    if kind == "zip":
        raw = _xlsx([HEADER] + ROWS)
        for _ in range(rng.randrange(1, 3)):
            raw = _mutate(rng, raw)
        return kind, rng.choice(["z.xlsx", "z.csv"]), raw
    if kind == "zip-member":  # a well-formed zip whose sheet XML is damaged
        src = zipfile.ZipFile(io.BytesIO(_xlsx([HEADER] + ROWS)))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for info in src.infolist():
                body = src.read(info)
                if info.filename.startswith("xl/worksheets/") or rng.random() < 0.1:
                    body = _mutate(rng, body)
                out.writestr(info.filename, body)
        return kind, "zm.xlsx", buf.getvalue()
    if kind == "empty":
        return kind, rng.choice(["e.csv", "e.xlsx"]), rng.choice([b"", b"\r\n", b"\xef\xbb\xbf", b" "])
    if kind == "rows":
        rows = [list(r) for r in ROWS] * rng.randrange(1, 4)
        for r in rows:
            if r and rng.random() < 0.3:
                del r[rng.randrange(len(r)):]
            if rng.random() < 0.3:
                r.append(rng.choice(["", "thừa", "1"]))
        return kind, "rw.csv", _csv(rng, rows).encode()
    return kind, "u.csv", _csv(rng).encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))


def _state(db) -> tuple:
    with db.read() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar()
                     for t in (Person, RosterEntry, PersonFact, AuditBatch, AuditChange))


@pytest.mark.parametrize("seed,cases", [(SEED, CASES)], ids=lambda v: str(v))
def test_malformed_files_end_in_a_message_or_a_correct_import(sqlite_url, catalogs, tmp_path, seed, cases):
    print(f"\nimport fuzz: seed {seed}, {cases} cases (replay: HOCTAP_FUZZ_SEED={seed} HOCTAP_FUZZ_CASES={cases})")
    db = open_database(sqlite_url)
    add_unit(db, catalogs, "U1", "Trường thử", "district", ["public_service", "general_education"])
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for n in range(cases):
        kind, name, data = make_case(rng)
        path = tmp_path / name
        path.write_bytes(data)
        where = f"seed {seed}, case {n} ({kind}, {len(data)} bytes)"
        before = _state(db)
        try:
            result = import_roster(db, catalogs, "U1", 2024, path)
        except ImportFailed as e:
            assert e.problems and all(str(p).strip() for p in e.problems), where
            assert _state(db) == before, f"{where}: a refusal changed the database"
            outcomes["refused"] = outcomes.get("refused", 0) + 1
            continue
        except Exception as e:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{where}: {type(e).__name__}: {e}")
        after = _state(db)  # a correct import: its counts are what it wrote
        assert result.added + result.updated <= result.rows, where
        assert after[0] == before[0] + result.added, where
        assert result.batch_id is None or after[3] > before[3], where
        outcomes["imported"] = outcomes.get("imported", 0) + 1
    print(f"import fuzz: seed {seed}, {cases} cases: {outcomes}")
    assert sum(outcomes.values()) == cases and outcomes.get("refused")
    db.dispose()
