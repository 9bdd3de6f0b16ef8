"""Criteria catalogs: TOML data files, validated on load.

Three kinds of file live in a catalog directory:
- ``vocabulary``: unit types, ordered scales and per-person facts;
- ``learning-unit``: one tier x level of Circular 24 (criteria and entries);
- ``learning-citizen``: the Learning Citizen scoring of Decision 324.

The shipped files are in ``models/catalogs``. Directories named in the config are read after
them: a catalog with the same id replaces the shipped one, a vocabulary adds to it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.text import fold

SHIPPED_DIR = Path(__file__).with_name("catalogs")
EDUCATION = "@education"  # applies_to token: every unit type marked `education = true`
Lang = Literal["vi", "en"]


class CatalogError(Exception):
    """A catalog file is wrong; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, message: str):
        self.path, self.key, self.message = str(path), key, message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


class _Strict(BaseModel):
    # strict: TOML has real types, so "90" for a number or 1 for a boolean is a mistake
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Labelled(_Strict):
    vi: str
    en: str

    def label(self, lang: Lang = "vi") -> str:
        return self.en if lang == "en" else self.vi


# ---- vocabulary -------------------------------------------------------------------------------

class UnitType(_Labelled):
    education: bool = False


class ScaleValue(_Labelled):
    id: str
    aliases: list[str] = []
    confirmed: bool = True


class FactDef(_Labelled):
    type: Literal["bool", "scale", "int"]
    scale: str | None = None
    min: int | None = None
    max: int | None = None
    computed: bool = False  # kept by hoctap itself (e.g. lc_title); never set by a user
    aliases: list[str] = []  # other column headers accepted on import

    @model_validator(mode="after")
    def _shape(self):
        if (self.type == "scale") != (self.scale is not None):
            raise ValueError("`scale` is required for type 'scale' and only for it")
        return self


class VocabularyFile(_Strict):
    kind: Literal["vocabulary"]
    id: str
    version: str
    unit_types: dict[str, UnitType] = {}
    scales: dict[str, list[ScaleValue]] = {}
    facts: dict[str, FactDef] = {}


# ---- learning unit ----------------------------------------------------------------------------

_RULE = r"all|any|at_least:[1-9][0-9]*"


class Entry(_Labelled):
    id: str
    kind: Literal["unit", "share"]
    source: str
    confirmed: bool
    applies_to: list[str] = []  # empty: every unit type
    not_for: list[str] = []
    # unit entries: the kind of value ticked ("bool" or a scale name) and its minimum
    value: str | None = None
    # share entries: who is counted and which fact qualifies them
    population: Literal["members", "learners"] | None = None
    fact: str | None = None
    threshold_percent: Annotated[Union[int, float], Field(ge=0, le=100)] | None = None
    at_least: str | int | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "unit":
            if self.value is None:
                raise ValueError("a unit entry needs `value` (bool or a scale name)")
            extra = [k for k in ("population", "fact", "threshold_percent") if getattr(self, k) is not None]
        else:
            missing = [k for k in ("population", "fact", "threshold_percent") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"a share entry needs {', '.join('`%s`' % k for k in missing)}")
            extra = ["value"] if self.value is not None else []
        if extra:
            raise ValueError(f"{', '.join('`%s`' % k for k in extra)} not allowed on a {self.kind} entry")
        return self

    @property
    def threshold(self) -> Fraction:
        return Fraction(str(self.threshold_percent))


class Criterion(_Labelled):
    id: str
    rule: Annotated[str, Field(pattern=f"^({_RULE})$")] = "all"
    entries: list[Entry]


class LearningUnitCatalog(_Labelled):
    kind: Literal["learning-unit"]
    id: str
    version: str
    tier: Literal["district", "provincial"]
    level: Annotated[int, Field(ge=1)]
    source: str
    rule: Annotated[str, Field(pattern=f"^({_RULE})$")] = "all"
    criteria: list[Criterion]

    def entries(self) -> list[Entry]:
        return [e for c in self.criteria for e in c.entries]

    def entry(self, entry_id: str) -> Entry:
        for e in self.entries():
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)


# ---- learning citizen -------------------------------------------------------------------------

class Competence(_Labelled):
    id: str
    indicators: list[int]


class Indicator(_Labelled):
    number: Annotated[int, Field(ge=1)]


class LearningCitizenCatalog(_Labelled):
    kind: Literal["learning-citizen"]
    id: str
    version: str
    source: str
    confirmed: bool
    min_score: int
    max_score: int
    pass_total: int
    pass_each: int
    status_fact: str
    result_fact: str
    group_fact: str
    competences: list[Competence]
    indicators: list[Indicator]

    @property
    def score_facts(self) -> list[str]:
        return [f"lc_{i.number}" for i in self.indicators]

    def passes(self, scores: list[int | None]) -> bool | None:
        """Pass iff every indicator is scored, the total reaches pass_total and none is below
        pass_each. None when a score is missing (the recorded title decides then)."""
        if len(scores) != len(self.indicators) or any(s is None for s in scores):
            return None
        return sum(scores) >= self.pass_total and min(scores) >= self.pass_each

    def title(self, scores: list[int | None], recorded: bool | None) -> bool | None:
        computed = self.passes(scores)
        return recorded if computed is None else computed


_FILE_MODELS = {
    "vocabulary": VocabularyFile,
    "learning-unit": LearningUnitCatalog,
    "learning-citizen": LearningCitizenCatalog,
}


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("int", "float", "str", "function-after[_shape()]") or "[" in str(part):
            continue  # pydantic's union / validator branch names, not keys of the file
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "string_pattern_mismatch":  # the only patterns are rules
        return f"must be 'all', 'any' or 'at_least:N' (got {err['input']!r})"
    return err["msg"].removeprefix("Value error, ")


def read_file(path: Path):
    """Parse and validate one catalog file (no cross-file checks)."""
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise CatalogError(path, "", f"not UTF-8 text (byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(path, "", f"not valid TOML: {e}") from None
    except OSError as e:
        raise CatalogError(path, "", e.strerror or str(e)) from None
    kind = raw.get("kind")
    model = _FILE_MODELS.get(kind)
    if model is None:
        raise CatalogError(path, "kind", f"must be one of {', '.join(_FILE_MODELS)} (got {kind!r})")
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        errors = e.errors()
        key = _key(errors[0]["loc"])
        # a union (int | float) reports one error per branch: count keys, not errors
        others = len({_key(err["loc"]) for err in errors} - {key})
        more = f" (and {others} more problem(s))" if others else ""
        raise CatalogError(path, key, _message(errors[0]) + more) from None


@dataclass
class Catalogs:
    """Every catalog in force, merged from the shipped directory and the user's."""

    unit_types: dict[str, UnitType] = field(default_factory=dict)
    scales: dict[str, list[ScaleValue]] = field(default_factory=dict)
    facts: dict[str, FactDef] = field(default_factory=dict)
    units: dict[str, LearningUnitCatalog] = field(default_factory=dict)
    citizen: LearningCitizenCatalog | None = None
    paths: dict[str, Path] = field(default_factory=dict)  # catalog id -> its file
    fact_paths: dict[str, Path] = field(default_factory=dict)  # fact -> the vocabulary defining it

    # -- lookups --
    def for_level(self, tier: str, level: int) -> LearningUnitCatalog:
        for cat in self.units.values():
            if cat.tier == tier and cat.level == level:
                return cat
        raise KeyError(f"no catalog for tier {tier!r} level {level}")

    def education_types(self) -> set[str]:
        return {tag for tag, t in self.unit_types.items() if t.education}

    def scale_ids(self, scale: str) -> list[str]:
        return [v.id for v in self.scales[scale]]

    def scale_rank(self, scale: str, value: str) -> int:
        return self.scale_ids(scale).index(value)

    def scale_label(self, scale: str, value: str, lang: Lang = "vi") -> str:
        for v in self.scales[scale]:
            if v.id == value:
                return v.label(lang)
        return value

    def match_scale(self, scale: str, raw: str) -> str | None:
        """The id of a scale value given its id, Vietnamese or English label or an alias."""
        key = fold(raw)
        for v in self.scales[scale]:
            if key in {fold(v.id), fold(v.vi), fold(v.en), *map(fold, v.aliases)}:
                return v.id
        return None

    def match_unit_type(self, raw: str) -> str | None:
        key = fold(raw)
        for tag, t in self.unit_types.items():
            if key in {fold(tag), fold(t.vi), fold(t.en)}:
                return tag
        return None

    # -- building --
    def add(self, path: Path, parsed) -> None:
        if isinstance(parsed, VocabularyFile):
            for section, current in (("unit_types", self.unit_types), ("scales", self.scales), ("facts", self.facts)):
                for name, value in getattr(parsed, section).items():
                    if name in current:
                        raise CatalogError(path, f"{section}.{name}", "already defined by another vocabulary")
                    current[name] = value
            self.fact_paths.update(dict.fromkeys(parsed.facts, path))
            return
        if isinstance(parsed, LearningCitizenCatalog):
            self.citizen = parsed
        else:
            for other in self.units.values():
                if other.id != parsed.id and (other.tier, other.level) == (parsed.tier, parsed.level):
                    # two catalogs for one tier x level would make the choice depend on file order
                    raise CatalogError(path, "id", f"{other.id!r} ({self.paths[other.id]}) already covers "
                                       f"{parsed.tier} level {parsed.level}; use id = {other.id!r} to replace it")
            self.units[parsed.id] = parsed
        self.paths[parsed.id] = path

    def finish(self) -> "Catalogs":
        """Cross-file checks, then the facts that the Learning Citizen catalog defines."""
        if self.citizen is None:
            raise CatalogError(SHIPPED_DIR, "", "no learning-citizen catalog found")
        lc = self.citizen
        path = self.paths[lc.id]
        numbers = [i.number for i in lc.indicators]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            raise CatalogError(path, "indicators", "indicator numbers must be 1..N without gaps or repeats")
        for i, comp in enumerate(lc.competences):
            for n in comp.indicators:
                if n not in numbers:
                    raise CatalogError(path, f"competences[{i}].indicators", f"unknown indicator {n}")
        for name in (lc.status_fact, lc.group_fact):
            if name not in self.facts:
                raise CatalogError(path, "status_fact" if name == lc.status_fact else "group_fact", f"unknown fact {name!r}")
        for ind in lc.indicators:
            self.facts[f"lc_{ind.number}"] = FactDef(
                type="int", min=lc.min_score, max=lc.max_score,
                vi=f"Chỉ số {ind.number}: {ind.vi}", en=f"Indicator {ind.number}: {ind.en}",
                aliases=[f"Chỉ số {ind.number}", f"CS{ind.number}", f"Indicator {ind.number}"])
        self.facts[lc.result_fact] = FactDef(type="bool", computed=True,
                                             vi="Công dân học tập", en="Learning Citizen")
        for name, fact in self.facts.items():
            if fact.scale is not None and fact.scale not in self.scales:
                raise CatalogError(self.fact_paths.get(name, SHIPPED_DIR), f"facts.{name}.scale", f"unknown scale {fact.scale!r}")
        for cat in self.units.values():
            self._check_unit_catalog(cat)
        return self

    def _check_unit_catalog(self, cat: LearningUnitCatalog) -> None:
        path = self.paths[cat.id]
        seen: set[str] = set()
        known_tags = set(self.unit_types) | {EDUCATION}
        for ci, crit in enumerate(cat.criteria):
            if crit.id in seen:
                raise CatalogError(path, f"criteria[{ci}].id", f"duplicate id {crit.id!r}")
            seen.add(crit.id)
            for ei, e in enumerate(crit.entries):
                where = f"criteria[{ci}].entries[{ei}]"
                if e.id in seen:
                    raise CatalogError(path, f"{where}.id", f"duplicate id {e.id!r}")
                seen.add(e.id)
                for key in ("applies_to", "not_for"):
                    for tag in getattr(e, key):
                        if tag not in known_tags:
                            raise CatalogError(path, f"{where}.{key}", f"unknown unit type {tag!r}")
                if e.kind == "unit":
                    if e.value != "bool" and e.value not in self.scales:
                        raise CatalogError(path, f"{where}.value", f"must be 'bool' or a scale name, not {e.value!r}")
                    if e.value == "bool" and e.at_least is not None:
                        raise CatalogError(path, f"{where}.at_least", "not allowed on a yes/no entry")
                    if e.value != "bool":
                        if e.at_least is None:
                            raise CatalogError(path, f"{where}.at_least", "required for an ordered value")
                        if e.at_least not in self.scale_ids(e.value):
                            raise CatalogError(path, f"{where}.at_least", f"{e.at_least!r} is not a value of scale {e.value!r}")
                    continue
                fact = self.facts.get(e.fact)
                if fact is None:
                    raise CatalogError(path, f"{where}.fact", f"unknown fact {e.fact!r}")
                if fact.type == "bool" and e.at_least is not None:
                    raise CatalogError(path, f"{where}.at_least", "not allowed on a yes/no fact")
                if fact.type == "scale":
                    if e.at_least is None:
                        raise CatalogError(path, f"{where}.at_least", "required for an ordered fact")
                    if e.at_least not in self.scale_ids(fact.scale):
                        raise CatalogError(path, f"{where}.at_least", f"{e.at_least!r} is not a value of scale {fact.scale!r}")
                if fact.type == "int" and not isinstance(e.at_least, int):
                    raise CatalogError(path, f"{where}.at_least", "an integer is required for a numeric fact")

    def qualifying_values(self, entry: Entry) -> set[str] | None:
        """Stored values of a share entry's fact that count as qualifying; None for int facts
        (compared numerically)."""
        fact = self.facts[entry.fact]
        if fact.type == "bool":
            return {"1"}
        if fact.type == "scale":
            ids = self.scale_ids(fact.scale)
            return set(ids[ids.index(entry.at_least):])
        return None


def catalog_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def load_catalogs(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Catalogs:
    """Shipped catalogs, then each extra directory in order (same id: the later one wins)."""
    files = catalog_files(SHIPPED_DIR)
    for d in extra_dirs:
        d = Path(d).expanduser()
        if d.is_dir():
            files += catalog_files(d)
        elif d.exists():
            raise CatalogError(d, "", "is not a directory")
    return _merge([(p, read_file(p)) for p in files])


def check_file(path: Path, extra_dirs: list[Path] | tuple[Path, ...] = ()):
    """Validate one file against the catalogs in force, as if it were added to them; returns
    the parsed file."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(path, "", "no such file")
    parsed = read_file(path)
    files = catalog_files(SHIPPED_DIR) + [f for d in extra_dirs if Path(d).is_dir() for f in catalog_files(Path(d))]
    _merge([(p, read_file(p)) for p in files if p.resolve() != path.resolve()] + [(path, parsed)])
    return parsed


def _merge(parsed: list[tuple[Path, object]]) -> Catalogs:
    cats = Catalogs()
    # vocabularies first, so that catalogs in any file order can use their facts
    for p, item in sorted(parsed, key=lambda pi: not isinstance(pi[1], VocabularyFile)):
        cats.add(p, item)
    return cats.finish()


def rule_met(rule: str, results: list[bool]) -> bool:
    """Whether a list of verdicts satisfies a rule: all, any, or at_least:N."""
    if rule == "all":
        return all(results)
    if rule == "any":
        return any(results)
    return sum(results) >= int(rule.split(":", 1)[1])
