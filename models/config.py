"""User configuration: ``$HOCTAP_CONFIG`` or ``~/.config/hoctap/config.toml``.

    db = "sqlite:////srv/hoctap/school.db"   # or postgresql+psycopg://…
    lang = "vi"                                # vi | en
    theme = "textual-dark"
    catalog_dirs = ["~/hoctap-catalogs"]       # extra or overriding catalogs
    export_mode = "0640"                       # exports' mode (default: 0600, 0660 in a setgid folder)
    evidence_code = "H{criterion}-{nn:02}"     # how new evidence is numbered (criterion number, count)
    [keymap]                                   # binding id = keys
    "roster.select" = "space"
"""

from __future__ import annotations

import locale
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from hoctap.models.i18n import tr

APP = "hoctap"


def crash_log(error: BaseException) -> Path:
    """Append a bug's traceback to crash.log beside the state file (private: 0600, it may show
    data); returns the path for the message. A read-only home must not raise a second error."""
    import traceback

    path = state_path().with_name("crash.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(error)) + "\n")
    except OSError:
        pass
    return path


class ConfigError(Exception):
    pass


def config_path() -> Path:
    env = os.environ.get("HOCTAP_CONFIG")
    return Path(env).expanduser() if env else Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "hoctap.db"


def state_path() -> Path:
    """Where the TUI remembers the last unit and year opened (not configuration)."""
    return Path(platformdirs.user_state_dir(APP)) / "state.toml"


def default_lang() -> str:
    for var in ("HOCTAP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    loc = locale.getlocale()[0] or ""
    return "vi" if loc.lower().startswith("vi") else "en"


@dataclass
class Config:
    db: str | None = None
    lang: str = field(default_factory=default_lang)
    theme: str = "textual-dark"
    catalog_dirs: list[Path] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)
    export_mode: int | None = None  # None: private (0600), or 0660 in a setgid folder
    evidence_code: str = "H{criterion}-{nn:02}"  # models.dossier.DEFAULT_CODE_SCHEME
    path: Path | None = None

    @property
    def catalog_search_dirs(self) -> list[Path]:
        """Configured directories, then the default one beside the config file."""
        default = config_path().parent / "catalogs"
        return [*self.catalog_dirs, default]


_KEYS = {"db": str, "lang": str, "theme": str, "catalog_dirs": list, "keymap": dict, "export_mode": str,
         "evidence_code": str}


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config(path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        # the parser's words are English: keep only where ("at line 3, column 1"), in the user's words
        at = re.search(r"line (\d+), column (\d+)", str(e))
        detail = (tr("config.at", line=at[1], col=at[2]) if at
                  else tr("config.at_end") if "end of document" in str(e) else str(e))
        raise ConfigError(f"{path}: " + tr("config.bad_toml", detail=detail)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: " + tr("config.not_utf8")) from None
    except OSError as e:
        from hoctap.models.files import os_reason

        raise ConfigError(f"{path}: {os_reason(e)}") from None
    for key, value in raw.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{path}: " + tr("config.unknown_key", key=key, known=", ".join(_KEYS)))
        if not isinstance(value, expected):
            raise ConfigError(f"{path}: {key}: " + tr("config.wrong_type", kind=tr(f"config.kind.{expected.__name__}")))
    if raw.get("lang", "vi") not in ("vi", "en"):
        raise ConfigError(f"{path}: lang: " + tr("config.bad_lang"))
    mode = raw.get("export_mode")
    # the owner must keep read and write (the export is replaced, then read back by hoctap import);
    # a file made from user data is never for others, nor a program
    if mode is not None and (not re.fullmatch(r"0?[0-7]{3}", mode) or int(mode, 8) & 0o600 != 0o600
                             or int(mode, 8) & 0o117):
        raise ConfigError(f"{path}: export_mode: " + tr("config.bad_mode", got=mode))
    cfg = Config(path=path)
    cfg.export_mode = None if mode is None else int(mode, 8)
    cfg.db = raw.get("db")
    cfg.lang = raw.get("lang", cfg.lang)
    cfg.theme = raw.get("theme", cfg.theme)
    cfg.catalog_dirs = [Path(p).expanduser() for p in raw.get("catalog_dirs", [])]
    cfg.evidence_code = raw.get("evidence_code", cfg.evidence_code)
    cfg.keymap = {str(k): str(v) for k, v in raw.get("keymap", {}).items()}
    return cfg
