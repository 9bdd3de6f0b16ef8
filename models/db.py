"""Opening the database: URL resolution, SQLite tuned for a shared server, migrations.

SQLite runs in WAL mode with a busy timeout and foreign keys on. pysqlite's own implicit
BEGIN is switched off so that reads start a plain BEGIN and writes ``BEGIN IMMEDIATE``
(taking the write lock up front, so two writers queue instead of failing mid-transaction).

PostgreSQL gets the same guarantee from a transaction-scoped advisory lock taken at the start
of every write transaction: writers queue, so a read-then-write (old value for the audit,
stale-edit version check, insert-if-missing) never races another writer.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from hoctap.models import migrations
from hoctap.models.migrations import HEAD
from hoctap.models.config import default_db_path
from hoctap.models.errors import DatabaseError
from hoctap.models.i18n import tr

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent  # installed as hoctap.models.migrations
BUSY_TIMEOUT_MS = 60_000  # a writer behind a 100k import waits for it rather than failing
CONNECT_TIMEOUT_S = 10
PG_WRITE_LOCK = 0x686F6374  # "hoct": the advisory lock key every hoctap writer takes


def resolve_url(cli_value: str | None = None) -> str:
    """``--db``, else ``$HOCTAP_DB``, else a file in the user's data directory. A bare path
    is taken as an SQLite file."""
    value = cli_value or os.environ.get("HOCTAP_DB") or str(default_db_path())
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def _sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _install_sqlite_hooks(engine: Engine, on_wait: Callable[[], None]) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if not conn.get_execution_options().get("hoctap_write", False):
            conn.exec_driver_sql("BEGIN")
            return
        # try at once; only if another writer holds the lock, say so and then wait for it (through
        # SQLAlchemy, so that any other failure is translated like every database error)
        conn.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as e:
            if "locked" not in str(e.orig).lower() and "busy" not in str(e.orig).lower():
                raise
            on_wait()
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _install_postgresql_hooks(engine: Engine, on_wait: Callable[[], None]) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("hoctap_write", False):
            if conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({PG_WRITE_LOCK})").scalar():
                return
            on_wait()
            # wait for the lock as long as SQLite's busy_timeout, then fail with "busy"
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


class Database:
    """One database: a read engine and a write engine sharing one connection pool."""

    def __init__(self, url: str, *, create: bool = True, _fresh: bool = False):
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise DatabaseError(tr("db.bad_url", url=url)) from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):  # MySQL, … : say what works
            raise DatabaseError(tr("db.unsupported", url=parsed.render_as_string(hide_password=True)))
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        path = _sqlite_path(url)
        if path is not None and not _fresh:
            if not path.exists():
                if not create:  # a mistyped --db must not leave folders and empty databases behind
                    raise DatabaseError(tr("db.missing", path=path))
                _create_sqlite_file(path)
            _check_sqlite_file(path, parsed.render_as_string(hide_password=True))
        # SQL parameters hold names: keep them out of exception texts (and so the crash log)
        kwargs: dict = {"hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}  # a dead server fails, not hangs
        try:
            self.engine = create_engine(url, **kwargs)
        except ImportError as e:
            if parsed.get_backend_name() == "postgresql":  # the driver is the extra hoctap[postgresql]
                raise DatabaseError(tr("db.no_driver", url=parsed.render_as_string(hide_password=True))) from None
            raise DatabaseError(tr("db.cannot_use", url=parsed.render_as_string(hide_password=True), error=e)) from None
        except ArgumentError as e:
            raise DatabaseError(tr("db.cannot_use", url=parsed.render_as_string(hide_password=True), error=e)) from None
        # what to do when a write must queue behind another user's: the faces say so (CLI: stderr)
        self.on_wait: Callable[[], None] = lambda: None
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine, self._say_waiting)
        elif parsed.get_backend_name() == "postgresql":
            _install_postgresql_hooks(self.engine, self._say_waiting)
        self.write_engine = self.engine.execution_options(hoctap_write=True)

    def _say_waiting(self) -> None:
        try:  # a word to the user: it never stops the write
            self.on_wait()
        except Exception:
            pass

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _translate_errors(self), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One short write transaction: committed on success, rolled back on any error."""
        with _translate_errors(self), Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _translate_errors(db: Database):
    try:
        yield
    except OperationalError as e:
        raise DatabaseError(describe_operational_error(db, e)) from None
    except DBAPIError as e:
        if e.connection_invalidated:
            raise DatabaseError(tr("db.lost", url=db.display_url)) from None
        low = str(e.orig).lower()
        if db.is_sqlite and ("not a database" in low or "malformed" in low):  # random bytes, a damaged file
            raise DatabaseError(describe_operational_error(db, e)) from None
        raise
    except UnicodeDecodeError as e:  # a text cell whose bytes were damaged
        raise DatabaseError(tr("db.corrupt", url=db.display_url, error=f"text that is not UTF-8 ({e.reason})")) from None


def describe_operational_error(db: Database, e: DBAPIError) -> str:
    msg = str(e.orig) if e.orig is not None else str(e)
    low = msg.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return tr("db.busy", s=BUSY_TIMEOUT_MS // 1000)
    if "readonly" in low or "read-only" in low:
        return _read_only_reason(db)
    if ("disk" in low and ("full" in low or "i/o" in low)) or "no space left" in low:
        return tr("db.disk_full", url=db.display_url)
    if "not a database" in low:
        return tr("db.damaged", url=db.display_url, error=msg)
    if "malformed" in low:
        return tr("db.corrupt", url=db.display_url, error=msg.strip().splitlines()[0])
    if "could not decode" in low:  # SQLite's message quotes the cell: personal data, kept out
        return tr("db.corrupt", url=db.display_url, error="text that is not UTF-8")
    if "unable to open" in low:
        path = _sqlite_path(db.url)
        if path is not None and path.exists() and not os.access(path.parent, os.W_OK):
            # WAL mode needs the -wal and -shm files beside the database, even to read it
            return tr("db.dir_read_only", url=db.display_url)
        return tr("db.cannot_open", url=db.display_url)
    if "connection" in low or "could not" in low or "timeout" in low:
        return tr("db.unreachable", url=db.display_url, error=msg.strip().splitlines()[0])
    return tr("db.error", url=db.display_url, error=msg.strip().splitlines()[0])


def _read_only_reason(db: Database) -> str:
    """Why a write was refused: the database or its directory, or a -shm/-wal file left
    read-only by a reader (SQLite gives the side files the database's mode when it makes them,
    so a reader of a 0444 file leaves a 0444 -shm that stays after the file's mode is fixed)."""
    path = _sqlite_path(db.url)
    if path is not None and path.exists() and os.access(path, os.W_OK):
        for side in (path.with_name(path.name + "-shm"), path.with_name(path.name + "-wal")):
            if side.exists() and not os.access(side, os.W_OK):
                st = side.stat()
                return tr("db.stale_side_file", file=side, owner=_owner(st.st_uid), mode=oct(stat.S_IMODE(st.st_mode)),
                          want=oct(stat.S_IMODE(path.stat().st_mode))[2:])
    return tr("db.read_only", url=db.display_url)


def _owner(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


SQLITE_HEADER = b"SQLite format 3\x00"
HOCTAP_TABLES = {"alembic_version", "unit", "assessment", "person", "audit_batch"}


def _check_sqlite_file(path: Path, url: str) -> None:
    """Refuse, untouched, an existing file that is not a hoctap database: empty, not SQLite,
    damaged, or another program's (no hoctap schema). Read only; a -wal/-shm this check makes
    is removed. What it cannot read (permissions, a lock) is left for the real open to explain."""
    try:
        if not path.is_file():
            return
        if path.stat().st_size == 0:
            raise DatabaseError(tr("db.empty_file", path=path))
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError:
        return
    if header != SQLITE_HEADER:
        raise DatabaseError(tr("db.damaged", url=url, error="file is not a database"))
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    before = {p for p in sides if p.exists()}
    names = None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        low = str(e).lower()
        if "malformed" in low or "not a database" in low:
            raise DatabaseError(tr("db.corrupt", url=url, error=str(e))) from None
    finally:
        for p in sides:
            if p not in before and p.exists():
                p.unlink(missing_ok=True)
    if names is None or HOCTAP_TABLES <= names:
        return
    own = {n for n in names if n.startswith("sqlite_")}
    foreign = sorted(names - own - HOCTAP_TABLES)
    what = tr("db.foreign_tables", tables=", ".join(foreign[:8]) + (", …" if len(foreign) > 8 else "")) \
        if foreign else tr("db.no_tables")
    raise DatabaseError(tr("db.foreign", path=path, what=what))


def _create_sqlite_file(path: Path) -> None:
    """Make a new database at ``path``: its schema is built in a private file beside it that
    is then linked into place, so ``path`` never exists half-made (an empty or schema-less file
    at a path is refused, never taken over). The file is private (0600) unless the directory
    is group-shared (setgid), in which case it is group-writable like its directory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = 0o660 if path.parent.stat().st_mode & stat.S_ISGID else 0o600
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
    except OSError as e:
        raise DatabaseError(tr("db.cannot_create", dir=path.parent, error=e.strerror)) from None
    try:
        os.chmod(tmp, mode)  # umask may have narrowed it
        fresh = Database(f"sqlite:///{tmp}", _fresh=True)
        try:
            _upgrade(fresh)
        finally:
            fresh.dispose()
        try:
            os.link(tmp, path)  # fails if another process made the database first: then theirs is used
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.rename(tmp, path)
    except OSError as e:
        raise DatabaseError(tr("db.cannot_create", dir=path.parent, error=e.strerror)) from None
    finally:
        for p in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            p.unlink(missing_ok=True)


# ---- schema -------------------------------------------------------------------------------------

def _alembic_config(db: Database):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = db.write_engine
    return cfg


def current_revision(db: Database) -> str | None:
    with db.read() as s:
        conn = s.connection()
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def open_database(url: str | None = None, *, upgrade: bool = True, create: bool = True) -> Database:
    """Open (and upgrade) the database at ``url`` (resolved as ``resolve_url``). A missing SQLite
    file is created, with its folder, unless ``create`` is false: then it is a DatabaseError."""
    db = Database(resolve_url(url), create=create)
    current = current_revision(db)
    if current == HEAD:  # the usual case: Alembic is only imported when the schema must change
        return db
    if current is not None and current not in known_revisions():
        raise DatabaseError(tr("db.newer", url=db.display_url, schema=current))
    if current is None and not db.is_sqlite:  # SQLite files are checked before they are opened
        with db.read() as s:
            tables = sorted(inspect(s.connection()).get_table_names())
        if tables:
            raise DatabaseError(tr("db.foreign", path=db.display_url, what=tr(
                "db.foreign_tables", tables=", ".join(tables[:8]) + (", …" if len(tables) > 8 else ""))))
    if not upgrade:
        raise DatabaseError(tr("db.needs_upgrade", url=db.display_url))
    _upgrade(db)
    return db


def _upgrade(db: Database) -> None:
    from alembic import command

    with _translate_errors(db):
        command.upgrade(_alembic_config(db), "head")

