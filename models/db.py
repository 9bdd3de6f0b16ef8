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
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from hoctap.models import migrations
from hoctap.models.migrations import HEAD
from hoctap.models.config import default_db_path
from hoctap.models import i18n
from hoctap.models.i18n import tr

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent  # installed as hoctap.models.migrations
BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 10
PG_WRITE_LOCK = 0x686F6374  # "hoct": the advisory lock key every hoctap writer takes


i18n.add({
    "db.bad_url": ("không phải địa chỉ cơ sở dữ liệu: {url!r}", "not a database URL: {url!r}"),
    "db.no_driver": ("muốn dùng PostgreSQL ({url}) thì cài thêm trình kết nối: pip install 'hoctap[postgresql]'",
                     "PostgreSQL ({url}) needs its driver: pip install 'hoctap[postgresql]'"),
    "db.cannot_use": ("không dùng được địa chỉ cơ sở dữ liệu {url}: {error}", "cannot use database URL {url}: {error}"),
    "db.lost": ("mất kết nối tới {url}", "lost the connection to {url}"),
    "db.busy": ("cơ sở dữ liệu đang bận (người khác đang ghi) suốt {s} giây; hãy thử lại",
                "the database is busy (another user is writing) and stayed busy for {s} s; try again"),
    "db.read_only": ("bạn chỉ được đọc cơ sở dữ liệu {url} (kiểm tra quyền của tệp và thư mục chứa nó)",
                     "the database {url} is read-only for you (check the file's and its directory's permissions)"),
    "db.disk_full": ("ổ đĩa chứa {url} đã đầy hoặc bị lỗi; chưa ghi gì",
                     "the disk holding {url} is full or failing; nothing was written"),
    "db.damaged": ("{url} không phải cơ sở dữ liệu hoctap hoặc đã hỏng ({error})",
                   "{url} is not a hoctap database or is damaged ({error})"),
    "db.dir_read_only": ("bạn chỉ được đọc thư mục của {url}; SQLite cần tạo tệp bên cạnh cơ sở dữ liệu "
                         "(xem docs/deployment.md)",
                         "the directory of {url} is read-only for you; SQLite must be able to create files "
                         "beside the database (see docs/deployment.md)"),
    "db.cannot_open": ("không mở được {url} (thư mục có tồn tại và ghi được không?)",
                       "cannot open {url} (does the directory exist and is it writable?)"),
    "db.unreachable": ("không kết nối được máy chủ cơ sở dữ liệu của {url}: {error}",
                       "cannot reach the database server of {url}: {error}"),
    "db.error": ("lỗi cơ sở dữ liệu ở {url}: {error}", "database error on {url}: {error}"),
    "db.cannot_create": ("không tạo được tệp cơ sở dữ liệu trong {dir}: {error}",
                         "cannot create the database file in {dir}: {error}"),
    "db.newer": ("{url} do một phiên bản hoctap mới hơn tạo (lược đồ {schema}); hãy nâng cấp hoctap để mở",
                 "{url} was made by a newer hoctap (schema {schema}); upgrade hoctap to open it"),
    "db.needs_upgrade": ("{url} cần nâng cấp lược đồ (chạy một lệnh hoctap bất kỳ)",
                         "{url} needs a schema upgrade (run any hoctap command)"),
    "db.missing": ("không có cơ sở dữ liệu tại {path} (kiểm tra --db, $HOCTAP_DB hoặc tệp cấu hình)",
                   "there is no database at {path} (check --db, $HOCTAP_DB or the config file)"),
})


class DatabaseError(Exception):
    """The database cannot be used; the message says why, without personal data."""


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


def _install_sqlite_hooks(engine: Engine) -> None:
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
        immediate = conn.get_execution_options().get("hoctap_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _install_postgresql_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("hoctap_write", False):
            # wait for the lock as long as SQLite's busy_timeout, then fail with "busy"
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


class Database:
    """One database: a read engine and a write engine sharing one connection pool."""

    def __init__(self, url: str, *, create: bool = True):
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise DatabaseError(tr("db.bad_url", url=url)) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        path = _sqlite_path(url)
        if path is not None:
            if create:
                _prepare_sqlite_file(path)
            elif not path.exists():  # a mistyped --db must not leave folders and empty databases behind
                raise DatabaseError(tr("db.missing", path=path))
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
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        elif parsed.get_backend_name() == "postgresql":
            _install_postgresql_hooks(self.engine)
        self.write_engine = self.engine.execution_options(hoctap_write=True)

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
        if db.is_sqlite and "not a database" in str(e.orig).lower():  # a file of random bytes
            raise DatabaseError(describe_operational_error(db, e)) from None
        raise


def describe_operational_error(db: Database, e: DBAPIError) -> str:
    msg = str(e.orig) if e.orig is not None else str(e)
    low = msg.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return tr("db.busy", s=BUSY_TIMEOUT_MS // 1000)
    if "readonly" in low or "read-only" in low:
        return tr("db.read_only", url=db.display_url)
    if ("disk" in low and ("full" in low or "i/o" in low)) or "no space left" in low:
        return tr("db.disk_full", url=db.display_url)
    if "not a database" in low or "malformed" in low:
        return tr("db.damaged", url=db.display_url, error=msg)
    if "unable to open" in low:
        path = _sqlite_path(db.url)
        if path is not None and path.exists() and not os.access(path.parent, os.W_OK):
            # WAL mode needs the -wal and -shm files beside the database, even to read it
            return tr("db.dir_read_only", url=db.display_url)
        return tr("db.cannot_open", url=db.display_url)
    if "connection" in low or "could not" in low or "timeout" in low:
        return tr("db.unreachable", url=db.display_url, error=msg.strip().splitlines()[0])
    return tr("db.error", url=db.display_url, error=msg.strip().splitlines()[0])


def _prepare_sqlite_file(path: Path) -> None:
    """Create the directory; a new file is private (0600) unless the directory is group-
    shared (setgid), in which case it is group-writable like its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    mode = 0o600
    try:
        if path.parent.stat().st_mode & stat.S_ISGID:
            mode = 0o660
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(path, mode)  # umask may have narrowed it
    except FileExistsError:
        pass
    except OSError as e:
        raise DatabaseError(tr("db.cannot_create", dir=path.parent, error=e.strerror)) from None


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
    if not upgrade:
        raise DatabaseError(tr("db.needs_upgrade", url=db.display_url))
    from alembic import command

    with _translate_errors(db):
        command.upgrade(_alembic_config(db), "head")
    return db

