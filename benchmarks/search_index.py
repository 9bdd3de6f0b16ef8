"""The roster search's index alone, at a size: ``python -m benchmarks.search_index 1000000``.

An in-memory SQLite ``person(search)`` of generated keys, counted with the roster's query shape
(every word ``LIKE '%word%'``) by a scan and through the FTS5 trigram table of 0005_search;
best of 3, in milliseconds. The engine alone: no hoctap import, no screen.
"""
import random, sqlite3, time, sys
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
fam = "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly".split()
mid = "van thi minh thanh ngoc duc huu quoc kim xuan".split()
giv = "an anh binh chi dung giang ha hai hanh hieu hoa hung khanh lan linh long mai nam nga nhung phuong quang son tam thao trang tuan viet yen".split()
r = random.Random(1)
c = sqlite3.connect(":memory:")
c.execute("create table person(id integer primary key, search text)")
c.executemany("insert into person values (?,?)", ((i, f"lqd{i:07} {r.choice(fam)} {r.choice(mid)} {r.choice(giv)}") for i in range(N)))
c.execute("create virtual table person_search using fts5(search, content='person', content_rowid='id', tokenize='trigram')")
c.execute("insert into person_search(person_search) values ('rebuild')")
def timed(sql, *a):
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter(); n = c.execute(sql, a).fetchall(); best = min(best, time.perf_counter() - t0)
    return best * 1000, len(n)
for w in ("lqd0012345", "nguyen van tuan", "khanh"):
    words = w.split()
    like = " and ".join("search like ?" for _ in words)
    scan = timed(f"select id from person where {like} limit 100", *[f"%{x}%" for x in words])
    scan_all = timed(f"select count(*) from person where {like}", *[f"%{x}%" for x in words])
    match = " ".join(f'"{x}"' for x in words)
    idx = timed(f"select count(*) from person where id in (select rowid from person_search where person_search match ?) and {like}", match, *[f"%{x}%" for x in words])
    print(f"{N} {w!r}: LIKE scan count {scan_all[0]:.1f} ms; FTS5 trigram count {idx[0]:.1f} ms")
