"""The evaluation engine: pure functions from counts and ticked values to verdicts.

Share entries are compared exactly: ``qualifying * 100 >= X * population`` (X may be a
decimal, held as a Fraction), never after rounding; an empty population is "no data".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from hoctap.models.catalog import EDUCATION, Catalogs, Criterion, Entry, LearningUnitCatalog, rule_met
from hoctap.models.qualify import Qualifies

Status = Literal["met", "not_met", "not_applicable", "no_data"]


def share_met(qualifying: int, population: int, threshold_percent: Fraction | int) -> bool:
    if population <= 0:
        return False
    return qualifying * 100 >= Fraction(threshold_percent) * population


def shortfall(qualifying: int, population: int, threshold_percent: Fraction | int) -> int:
    """How many more qualifying people the threshold needs (0 when met)."""
    needed = math.ceil(Fraction(threshold_percent) * population / 100)
    return max(0, needed - qualifying)


def applicable(entry: Entry, unit_types: set[str] | frozenset[str], education_types: set[str]) -> bool:
    def matches(tag: str) -> bool:
        return bool(unit_types & education_types) if tag == EDUCATION else tag in unit_types

    if any(matches(t) for t in entry.not_for):
        return False
    return not entry.applies_to or any(matches(t) for t in entry.applies_to)


@dataclass(frozen=True)
class ShareCounts:
    """What the database knows about an assessment's people, in aggregate.

    ``population``: people per population ("members", "learners");
    ``values``: people per (population, fact, stored value).
    """

    population: dict[str, int] = field(default_factory=dict)
    values: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def qualifying(self, catalogs: Catalogs, entry: Entry) -> int:
        q = Qualifies.of(catalogs, entry)
        return sum(n for (pop, fact, value), n in self.values.items()
                   if pop == q.population and fact == q.fact and q.accepts(value))


@dataclass(frozen=True)
class EntryResult:
    entry: Entry
    applicable: bool
    status: Status
    value: str | None = None  # unit entries: the stored value ("1"/"0" or a scale id)
    numerator: int | None = None
    denominator: int | None = None
    shortfall: int | None = None

    @property
    def met(self) -> bool | None:
        return None if not self.applicable else self.status == "met"

    @property
    def percent(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator * 100, self.denominator)


@dataclass(frozen=True)
class CriterionResult:
    id: str
    criterion: Criterion
    met: bool
    entries: list[EntryResult]


@dataclass(frozen=True)
class LevelResult:
    catalog: LearningUnitCatalog
    met: bool
    criteria: list[CriterionResult]

    def entries(self) -> list[EntryResult]:
        return [e for c in self.criteria for e in c.entries]

    def entry(self, entry_id: str) -> EntryResult:
        return next(e for e in self.entries() if e.entry.id == entry_id)


def unit_value_met(catalogs: Catalogs, entry: Entry, value: str | None) -> bool:
    if value is None:
        return False
    if entry.value == "bool":
        return value == "1"
    ids = catalogs.scale_ids(entry.value)
    return value in ids and ids.index(value) >= ids.index(entry.at_least)


def evaluate_entry(catalogs: Catalogs, entry: Entry, unit_types: set[str], counts: ShareCounts,
                   unit_values: dict[str, str | None]) -> EntryResult:
    if not applicable(entry, set(unit_types), catalogs.education_types()):
        return EntryResult(entry, False, "not_applicable", value=unit_values.get(entry.id) if entry.kind == "unit" else None)
    if entry.kind == "unit":
        value = unit_values.get(entry.id)
        if value is None:
            return EntryResult(entry, True, "no_data")
        return EntryResult(entry, True, "met" if unit_value_met(catalogs, entry, value) else "not_met", value=value)
    population = counts.population.get(entry.population, 0)
    qualifying = counts.qualifying(catalogs, entry)
    short = shortfall(qualifying, population, entry.threshold)
    if population == 0:
        status: Status = "no_data"
    else:
        status = "met" if share_met(qualifying, population, entry.threshold) else "not_met"
    return EntryResult(entry, True, status, numerator=qualifying, denominator=population, shortfall=short)


def evaluate(catalogs: Catalogs, catalog: LearningUnitCatalog, unit_types: set[str] | list[str],
             counts: ShareCounts, unit_values: dict[str, str | None]) -> LevelResult:
    """Every entry, criterion and the level verdict of one catalog for one unit's data."""
    types = set(unit_types)
    criteria = []
    for crit in catalog.criteria:
        results = [evaluate_entry(catalogs, e, types, counts, unit_values) for e in crit.entries]
        met = rule_met(crit.rule, [r.met for r in results if r.applicable])
        criteria.append(CriterionResult(crit.id, crit, met, results))
    return LevelResult(catalog, rule_met(catalog.rule, [c.met for c in criteria]), criteria)
