"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Iterator


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only once the block completes: a new temporary file
    in the same folder (so the rename stays on one file system; two writers never share it),
    flushed to disk, then renamed over the target. On any error the temporary file is removed
    and ``path`` is untouched."""
    path = Path(path)
    # open(..., "xb") rather than tempfile.mkstemp: the file gets the umask's mode, not 0600,
    # which matters in a shared group folder
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    f = open(tmp, "xb")
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
