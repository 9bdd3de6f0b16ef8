"""Who counts for a share entry, defined once and rendered three ways.

A share entry counts the people of one kind whose fact has an accepted stored value (yes, a
scale value from the minimum up) or, for an integer fact, a value at least the minimum.
``Qualifies`` is that condition; ``accepts`` is it in Python (the evaluation), ``clause`` in
SQL (the roster's "not yet counted" filter) and ``countifs`` in Excel (the dossier's formulas),
so the three cannot drift apart.

A person's ``kind`` (staff | learner) and a share entry's ``population`` (members | learners)
name the same groups; ``POPULATION_OF_KIND`` and ``KIND_OF_POPULATION`` are the one mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Integer, cast

from hoctap.models.catalog import Catalogs, Entry

KIND_OF_POPULATION = {"members": "staff", "learners": "learner"}
POPULATION_OF_KIND = {kind: pop for pop, kind in KIND_OF_POPULATION.items()}


@dataclass(frozen=True)
class Qualifies:
    """People of ``kind`` whose ``fact`` (of ``type`` bool, scale or int) is one of ``values``
    (in scale order) or, for an int fact, a number of at least ``at_least``."""

    kind: str
    fact: str
    type: str
    values: tuple[str, ...] | None = None
    at_least: int | None = None

    @classmethod
    def of(cls, catalogs: Catalogs, entry: Entry) -> "Qualifies":
        fact = catalogs.facts[entry.fact]
        kind = KIND_OF_POPULATION[entry.population]
        if fact.type == "bool":
            return cls(kind, entry.fact, "bool", ("1",))
        if fact.type == "scale":
            ids = catalogs.scale_ids(fact.scale)
            return cls(kind, entry.fact, "scale", tuple(ids[ids.index(entry.at_least):]))
        return cls(kind, entry.fact, "int", at_least=int(entry.at_least))

    @property
    def population(self) -> str:
        return POPULATION_OF_KIND[self.kind]

    def accepts(self, value: str | None) -> bool:
        """Whether a stored value of the fact counts (None: no value, never counts)."""
        if value is None:
            return False
        if self.values is not None:
            return value in self.values
        try:
            return int(value) >= self.at_least
        except ValueError:
            return False

    def clause(self, value_column):
        """The same test on a column of stored values (the facts table's ``value``)."""
        if self.values is not None:
            return value_column.in_(self.values)
        return cast(value_column, Integer) >= self.at_least

    def countifs(self, kind_range: str, fact_range: str, criterion: Callable[[str], str],
                 cell_text: Callable[[str, str], str]) -> str:
        """The count as an Excel formula (without "=") over roster columns as the dossier writes
        them: kind as its label, yes/no as the numbers 1/0, integers as numbers, scale values as
        labels. ``cell_text(name, value)`` is a cell's text; ``criterion(text)`` the COUNTIFS
        criterion matching exactly that text."""
        base = f"{kind_range},{criterion(cell_text('kind', self.kind))},{fact_range}"
        if self.type == "int":
            return f'COUNTIFS({base},">={self.at_least}")'
        if self.type == "bool":
            return f"COUNTIFS({base},1)"
        return "+".join(f"COUNTIFS({base},{criterion(cell_text(self.fact, v))})" for v in self.values) or "0"

    def population_countifs(self, kind_range: str, criterion: Callable[[str], str],
                            cell_text: Callable[[str, str], str]) -> str:
        """How many people of the kind the roster holds, as an Excel formula (without "=")."""
        return f"COUNTIFS({kind_range},{criterion(cell_text('kind', self.kind))})"
