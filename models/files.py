"""Files written whole or not at all, private while they are written, named safely from data.

- ``safe_name`` turns data (a unit code, a year) into one file name; ``inside`` joins it to the
  folder chosen and refuses any path that would leave it.
- ``output`` / ``atomic_write``: the file is written in a private scratch folder beside the target
  (``.hoctap-tmp-UID/``, mode 0700, so the final rename stays on one file system), then renamed
  over the target: complete or not at all. XlsxWriter's own temporary files go in the same
  scratch folder. A scratch folder is removed when its export ends, and a folder left by a dead
  process (SIGKILL, power cut) is removed by the next export into that folder: each one is held
  under an exclusive ``flock`` while alive, so "can I take the lock?" means "its owner is gone".
- exports are created 0600 (only you), 0660 in a setgid (group-shared) folder like the database,
  or with the mode configured as ``export_mode``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import re
import secrets
import shutil
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

import platformdirs

from hoctap.models.errors import HoctapError
from hoctap.models.i18n import tr

_REASONS = {errno.ENOSPC: "ENOSPC", errno.EDQUOT: "EDQUOT", errno.EACCES: "EACCES", errno.EPERM: "EACCES",
            errno.EROFS: "EROFS", errno.ENOENT: "ENOENT", errno.ENOTDIR: "ENOTDIR", errno.EIO: "EIO"}

# ---- names from data -----------------------------------------------------------------------------

MAX_NAME_BYTES = 160  # of the stem, UTF-8: well under the 255-byte limit of ext4/xfs/btrfs/NTFS
_SEPARATORS = re.compile(r'[/\\:*?"<>|]+')  # also the ones Windows refuses: files go onto USB sticks


def safe_name(text: str, suffix: str = "") -> str:
    """One file name made from data: separators and Windows' reserved characters become "-",
    control and invisible characters are dropped, Vietnamese letters are kept (NFC), no leading
    dot or dash (no hidden file, nothing an option parser takes), no "..", at most
    MAX_NAME_BYTES bytes before ``suffix`` (".xlsx", trusted). Never empty."""
    name = unicodedata.normalize("NFC", text)
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = _SEPARATORS.sub("-", name)
    name = re.sub(r"\.{2,}", ".", " ".join(name.split()))
    name = name.lstrip(".- ")
    cut = name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore")
    cut = cut.rstrip(". ")  # Windows drops trailing dots and spaces
    return (cut or "hoctap") + suffix


def inside(folder: str | Path, name: str) -> Path:
    """``folder / name``, refused unless it is a direct child of ``folder`` (resolved: a
    symlinked folder is fine, ``..`` or an absolute name is not)."""
    folder = Path(folder)
    path = folder / name
    if name in ("", ".", "..") or Path(name).name != name or path.resolve().parent != folder.resolve():
        raise HoctapError(tr("files.outside", name=name, folder=folder))
    return path


# ---- modes -------------------------------------------------------------------------------------

_MODE: list[int | None] = [None]


def set_export_mode(mode: int | None) -> None:
    """The configured ``export_mode`` (None: private, or group in a setgid folder). Set once at
    start-up, like the language."""
    _MODE[0] = mode


def export_mode(folder: Path) -> int:
    if _MODE[0] is not None:
        return _MODE[0]
    try:
        shared = folder.stat().st_mode & stat.S_ISGID
    except OSError:
        shared = False
    return 0o660 if shared else 0o600


# ---- scratch folders -------------------------------------------------------------------------

def scratch_base(folder: Path) -> Path:
    """The private scratch folder for exports into ``folder``: per user, hidden."""
    return folder / f".hoctap-tmp-{os.getuid()}"


def cache_scratch_folder() -> Path:
    """Where the scratch folders of work with no folder of its own go (not made here)."""
    return Path(platformdirs.user_cache_dir("hoctap")) / "tmp"


def cache_scratch_base() -> Path:
    """For exports that have no folder (a download in the browser) and imports' scratch files."""
    base = cache_scratch_folder()
    base.parent.mkdir(parents=True, exist_ok=True)
    return base


def _private_dir(path: Path) -> None:
    """``path`` exists, is a real folder owned by us, mode 0700; refused otherwise (someone else
    may have put a folder or a symlink there to read what we write)."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise HoctapError(tr("files.unsafe_scratch", path=path))
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)  # the umask narrowed mkdir's mode, or a setgid parent added a bit


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def clean_stale(base: Path) -> None:
    """Remove what dead exports left in ``base``: a run is a lock file NAME (locked while its
    export lives) and its folder NAME.d."""
    try:
        entries = list(os.scandir(base))
    except FileNotFoundError:
        return
    locks = {e.name for e in entries if not e.name.endswith(".d")}
    for e in entries:
        path = Path(e.path)
        if e.name.endswith(".d"):
            if e.name[:-2] not in locks:  # a live run makes its lock file first: an orphan
                shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if _try_lock(fd) and os.path.samestat(os.fstat(fd), os.lstat(path)):
                shutil.rmtree(path.with_name(e.name + ".d"), ignore_errors=True)
                path.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


@contextlib.contextmanager
def scratch(base: Path) -> Iterator[Path]:
    """A new private folder inside ``base`` for one export, removed when it ends (and by the
    next export if this process dies); stale ones are removed first."""
    while True:
        _private_dir(base)
        clean_stale(base)
        lock = base / f"{os.getpid()}-{secrets.token_hex(6)}"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileNotFoundError:  # another export just removed the empty base
            continue
        try:
            # a cleaner may have taken and removed it between the open and the lock: try again
            if _try_lock(fd) and os.path.samestat(os.fstat(fd), os.lstat(lock)):
                run = lock.with_name(lock.name + ".d")
                os.mkdir(run, 0o700)
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield run
    finally:
        shutil.rmtree(run, ignore_errors=True)
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)
        with contextlib.suppress(OSError):
            base.rmdir()  # only once no other export uses it: nothing stays beside the file


# ---- writing -----------------------------------------------------------------------------------

class _Sink(io.RawIOBase):
    """The file as the writers see it. Once the export has failed (or ended) it only counts what
    is still written: XlsxWriter's half-written zip, closed by the garbage collector, would
    otherwise write to a closed or full file and print "Exception ignored in ZipFile.__del__"
    (its end record needs positions that add up, hence the counting)."""

    def __init__(self, f: BinaryIO):
        super().__init__()
        self._f: BinaryIO | None = f
        self._pos = 0

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b) -> int:
        if self._f is not None:
            with self._failing():
                return self._f.write(b)
        n = len(memoryview(b))
        self._pos += n
        return n

    def seek(self, pos: int, whence: int = 0) -> int:
        if self._f is not None:
            return self._f.seek(pos, whence)
        self._pos = pos if whence == 0 else self._pos + pos
        return self._pos

    def tell(self) -> int:
        return self._pos if self._f is None else self._f.tell()

    def truncate(self, size: int | None = None) -> int:
        return (self._pos if size is None else size) if self._f is None else self._f.truncate(size)

    def flush(self) -> None:
        if self._f is not None:
            with self._failing():
                self._f.flush()

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        """The first failed write ends the file: the writers' later clean-ups (a zip closed by the
        garbage collector after its caller has caught the error) only count."""
        try:
            yield
        except OSError:
            self.discard()
            raise

    def discard(self) -> None:
        if self._f is not None:
            with contextlib.suppress(Exception):
                self._pos = self._f.tell()
            self._f = None


@dataclass
class Output:
    file: BinaryIO
    tmpdir: str  # XlsxWriter's ``tmpdir``: private, removed with the export


def _os_error(e: BaseException) -> OSError | None:
    """The OSError behind ``e`` (XlsxWriter wraps it in FileCreateError)."""
    while e is not None:
        if isinstance(e, OSError):
            return e
        e = e.__cause__ or e.__context__
    return None


def os_reason(e: OSError) -> str:
    """The cause in the user's language, the system's own words after it (for whoever helps)."""
    key = _REASONS.get(e.errno)
    detail = e.strerror or str(e)
    return f"{tr(f'files.reason.{key}')} ({detail})" if key else detail


@contextlib.contextmanager
def output(target: str | Path | BinaryIO) -> Iterator[Output]:
    """Where an export writes: for a path, a private temporary file that replaces ``target``
    only once the block completes (flushed to disk, given its final mode, renamed); for a file
    object, that object. Either way a private scratch folder for XlsxWriter. A failure leaves
    nothing behind and is reported naming ``target`` in the user's language."""
    if not isinstance(target, (str, Path)):
        try:
            with scratch(cache_scratch_base()) as tmp:
                yield Output(target, str(tmp))
        except Exception as e:
            err = _os_error(e)
            if err is None:
                raise
            raise HoctapError(tr("files.write_failed_stream", reason=os_reason(err))) from None
        return
    path = Path(target)
    if path.is_dir():
        raise HoctapError(tr("files.is_folder", path=path))
    sink = None
    try:
        with scratch(scratch_base(path.parent)) as tmp:
            part = tmp / "part"
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with open(fd, "wb") as f:
                sink = _Sink(f)
                try:
                    yield Output(sink, str(tmp))
                    sink.flush()
                    folder = path.parent.stat()
                    os.fchmod(fd, export_mode(path.parent))
                    if folder.st_mode & stat.S_ISGID and os.fstat(fd).st_gid != folder.st_gid:
                        with contextlib.suppress(OSError):  # the folder's group, as a setgid folder gives
                            os.fchown(fd, -1, folder.st_gid)
                    os.fsync(fd)
                finally:
                    sink.discard()
            os.replace(part, path)
    except Exception as e:
        err = _os_error(e)
        if err is None or isinstance(e, HoctapError):
            raise
        if err.errno == errno.EISDIR:
            raise HoctapError(tr("files.is_folder", path=path)) from None
        raise HoctapError(tr("files.write_failed", path=path, reason=os_reason(err))) from None


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only once the block completes (see ``output``)."""
    with output(path) as out:
        yield out.file
