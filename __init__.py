"""hoctap: Learning Unit (Circular 24/2023/TT-BGDĐT) and Learning Citizen (Decision 324)
self-assessment. The one import name of the distribution: its parts live in the repository's
top-level folders and are installed beneath it (hoctap.models, hoctap.tui, hoctap.screens,
hoctap.sample_data; the Alembic history as hoctap.models.migrations)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hoctap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
