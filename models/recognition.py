"""Recognition history: the decisions recognising a unit as a Learning Unit, and what follows
from them on a given day (the recognition in force, until when it is kept, whether a Level 2
request is allowed). The two rules are data (recognition.toml), shown as unconfirmed."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import InputError, check_text, parse_year
from hoctap.models.i18n import tr
from hoctap.models.tables import Assessment, Recognition, Unit
from hoctap.models.units import get_unit

RULES_FILE = Path(__file__).with_name("recognition.toml")


@dataclass(frozen=True)
class Rules:
    kept_years: int = 3
    level2_after_years: int = 1
    unconfirmed: bool = True


def load_rules(search_dirs: list[Path] = ()) -> Rules:
    """The shipped rules, or a ``recognition.toml`` in the first catalog folder that has one."""
    path = next((d / "recognition.toml" for d in search_dirs if (d / "recognition.toml").is_file()), RULES_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = Rules(int(raw["kept_years"]), int(raw["level2_after_years"]), bool(raw.get("unconfirmed", True)))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise HoctapError(tr("recog.bad_rules", path=path, error=e)) from None
    if rules.kept_years < 0 or rules.level2_after_years < 0:
        raise HoctapError(tr("recog.bad_rules", path=path, error="< 0"))
    return rules


def years_after(d: date, years: int) -> date:
    """The same day ``years`` later (29 February: the 28th in a common year)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@dataclass
class Standing:
    """A unit's recognitions as seen on the day ``on``."""

    unit: str
    on: date
    decisions: list[Recognition]
    in_force: Recognition | None = None
    kept_until: date | None = None  # of the newest decision, in force or lapsed
    level2_from: date | None = None  # the first day a Level 2 request is allowed
    warnings: list[str] = field(default_factory=list)

    @property
    def level2_allowed(self) -> bool:
        return self.level2_from is not None and self.on >= self.level2_from


def kept_until(rules: Rules, r: Recognition) -> date:
    """The last day of the ``kept_years`` years that follow the year of recognition."""
    return date(r.year + rules.kept_years, 12, 31)


def standing_of(rules: Rules, unit: str, decisions: list[Recognition], on: date, seeks_level: int | None = None) -> Standing:
    """What the decisions mean on ``on``; ``seeks_level``: the level the unit asks for now."""
    decisions = sorted(decisions, key=lambda r: (r.year, r.level))
    st = Standing(unit, on, decisions)
    # from its signing (a decision recorded before the day it is dated is not yet in force)
    in_force = [r for r in decisions if r.year <= on.year and on <= kept_until(rules, r)
                and (r.decision_date is None or r.decision_date <= on)]
    if in_force:
        st.in_force = max(in_force, key=lambda r: (r.level, r.year))
    if decisions:
        newest = decisions[-1]
        st.kept_until = kept_until(rules, newest)
        if st.in_force is None and on > st.kept_until:
            st.warnings.append(tr("recog.lapsed", until=st.kept_until.isoformat()))
        elif st.in_force is not None and kept_until(rules, st.in_force).year == on.year:
            st.warnings.append(tr("recog.lapses", until=kept_until(rules, st.in_force).isoformat()))
    level1 = [r for r in in_force if r.level == 1 and r.decision_date is not None]
    if level1:
        st.level2_from = years_after(max(r.decision_date for r in level1), rules.level2_after_years)
    if seeks_level == 2 and not any(r.level == 2 for r in in_force) and not st.level2_allowed:
        st.warnings.append(tr("recog.level2_early", since=st.level2_from.isoformat()) if st.level2_from
                           else tr("recog.level2_no_level1"))
    return st


def standings(db: Database, rules: Rules, on: date, unit_code: str | None = None) -> list[Standing]:
    """Every unit's standing (or one unit's); the level sought is that of its newest assessment."""
    with db.read() as s:
        units = [get_unit(s, unit_code)] if unit_code else list(s.exec(select(Unit).order_by(Unit.code)).scalars())
        decisions: dict[int, list[Recognition]] = {}
        for r in s.exec(select(Recognition)).scalars():
            decisions.setdefault(r.unit_id, []).append(r)
        sought = dict(s.execute(select(Assessment.unit_id, Assessment.level).order_by(Assessment.year)).all())
    return [standing_of(rules, u.code, decisions.get(u.id, []), on, sought.get(u.id)) for u in units
            if unit_code or u.id in decisions]


def _as_json(r: Recognition) -> str:
    return json.dumps(dict(unit_id=r.unit_id, level=r.level, year=r.year, decision_no=r.decision_no,
                           decision_date=r.decision_date.isoformat() if r.decision_date else None, issuer=r.issuer),
                      ensure_ascii=False)


def from_json(text: str) -> dict:
    """The columns of a recognition as audited (undo puts it back from these)."""
    values = json.loads(text)
    if values["decision_date"]:
        values["decision_date"] = date.fromisoformat(values["decision_date"])
    return values


def add_recognition(db: Database, unit_code: str, level: int, year: int, decision_no: str, decision_date: date,
                    issuer: str, *, source: str = "cli") -> int:
    """Record one decision; returns its audit batch (undo removes it again)."""
    if level not in (1, 2):
        raise InputError(tr("bundle.bad_level", value=level))
    year = parse_year(year)
    decision_no, issuer = check_text("decision_no", decision_no.strip()), check_text("issuer", issuer.strip())
    if not decision_no:
        raise InputError(tr("err.required", name="--number"))
    if decision_date.year < year:
        raise InputError(tr("recog.date_before_year", date=decision_date.isoformat(), year=year))
    if decision_date > date.today():  # a decision is recorded once it is signed
        raise InputError(tr("recog.date_future", date=decision_date.isoformat()))
    with db.write() as s:
        unit = get_unit(s, unit_code)
        if s.exec(select(Recognition.id).where(Recognition.unit_id == unit.id, Recognition.level == level,
                                               Recognition.year == year)).first():
            raise HoctapError(tr("recog.exists", code=unit.code, level=level, year=year))
        r = Recognition(unit_id=unit.id, level=level, year=year, decision_no=decision_no,
                        decision_date=decision_date, issuer=issuer)
        s.add(r)
        try:
            s.flush()
        except IntegrityError:  # another session recorded it first
            raise HoctapError(tr("recog.exists", code=unit.code, level=level, year=year)) from None
        batch = record_batch(s, source, "recognition", None,
                             batch_summary("recognition", code=unit.code, level=level, year=year, no=decision_no))
        record_changes(s, batch, [dict(entity="recognition", entity_id=r.id, field="*", old=None, new=_as_json(r))])
        return batch


def current_json(s, ids) -> dict[int, str]:
    """What undo compares: each recognition as audited, by id."""
    return {r.id: _as_json(r) for r in s.exec(select(Recognition).where(Recognition.id.in_(list(ids)))).scalars()}
