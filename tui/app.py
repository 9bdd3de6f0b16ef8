"""The hoctap Textual application: owns the database handle, the catalogs and the current
unit/assessment; screens (in screens/) read and change data only through models/."""

from __future__ import annotations

from textual.app import App

from models.catalog import Catalogs
from models.config import Config
from models.db import Database
from models.store import Context


class HoctapApp(App):
    TITLE = "hoctap"

    def __init__(self, db: Database, catalogs: Catalogs, config: Config, *, unit: str | None = None,
                 year: int | None = None):
        super().__init__()
        self.db = db
        self.catalogs = catalogs
        self.config = config
        self.start_unit = unit
        self.start_year = year
        self.ctx: Context | None = None


def run_app(db: Database, catalogs: Catalogs, config: Config, *, unit: str | None = None,
            year: int | None = None) -> int:
    HoctapApp(db, catalogs, config, unit=unit, year=year).run()
    return 0
