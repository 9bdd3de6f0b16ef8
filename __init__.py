"""hoctap: Learning Unit (Circular 24/2023/TT-BGDĐT) and Learning Citizen (Decision 324)
self-assessment. The one import name of the distribution: its parts live in the repository's
top-level folders and are installed beneath it (hoctap.models, hoctap.tui, hoctap.screens,
hoctap.sample_data; the Alembic history as hoctap.models.migrations)."""


def __getattr__(name: str) -> str:
    """``hoctap.__version__``, looked up when asked for (the distribution's metadata is read from
    disk: the CLI's start need not)."""
    if name != "__version__":
        raise AttributeError(f"module 'hoctap' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hoctap")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
