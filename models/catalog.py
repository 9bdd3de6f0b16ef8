"""Criteria catalogs: TOML data files, validated on load.

Three kinds of file live in a catalog directory:
- ``vocabulary``: unit types, ordered scales and per-person facts;
- ``learning-unit``: one tier x level of Circular 24 (criteria and entries);
- ``learning-citizen``: the Learning Citizen scoring of Decision 324.

The shipped files are in ``models/catalogs``. Directories named in the config are read after
them: a catalog with the same id replaces the shipped one, a vocabulary adds to it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Callable, Literal, Union

import platformdirs
import pydantic
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hoctap.models.errors import CatalogError
from hoctap.models.i18n import tr
from hoctap.models.text import fold

SHIPPED_DIR = Path(__file__).with_name("catalogs")
EDUCATION = "@education"  # applies_to token: every unit type marked `education = true`
Lang = Literal["vi", "en"]


class KeyedError(ValueError):
    """A validator's error about one key of the model it checks (pydantic would name the model)."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _reachable(rule: str, have: int, what: str) -> None:
    need = 0 if rule == "all" else 1 if rule == "any" else int(rule.split(":", 1)[1])
    if need > have:
        raise KeyedError("rule", tr("cat.rule_unreachable", rule=rule, need=need, have=have, what=tr(what)))

# pydantic's error types -> our message keys (its own texts are English only)
_PYDANTIC = {"int_type": "cat.integer", "int_parsing": "cat.integer", "int_from_float": "cat.integer",
             "float_type": "cat.number", "bool_type": "cat.bool", "string_type": "cat.text", "list_type": "cat.list",
             "dict_type": "cat.table", "model_type": "cat.table", "less_than_equal": "cat.le",
             "greater_than_equal": "cat.ge", "literal_error": "cat.literal"}


class _Strict(BaseModel):
    # strict: TOML has real types, so "90" for a number or 1 for a boolean is a mistake
    # defer_build: the validators are built on the first validation, so a catalog read back from
    # the cache (unpickled, never validated) costs no schema building
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


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
    short_vi: str | None = None  # a column header where the label is too long (the roster)
    short_en: str | None = None

    def short(self, lang: Lang = "vi") -> str | None:
        return self.short_en if lang == "en" else self.short_vi

    @model_validator(mode="after")
    def _shape(self):
        if (self.type == "scale") != (self.scale is not None):
            raise ValueError(tr("cat.scale_key"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise KeyedError("max", tr("cat.min_above_max", min=self.min, max=self.max))
        return self


class Tier(_Labelled):
    """How a tier is named, who recognises its units and where their dossiers go: data, since
    the 2025 local-government reform moved district duties to communes and provinces."""

    authority_vi: str
    authority_en: str
    send_to_vi: str
    send_to_en: str

    def authority(self, lang: Lang = "vi") -> str:
        return self.authority_en if lang == "en" else self.authority_vi

    def send_to(self, lang: Lang = "vi") -> str:
        return self.send_to_en if lang == "en" else self.send_to_vi


class VocabularyFile(_Strict):
    kind: Literal["vocabulary"]
    id: str
    version: str
    # a later vocabulary's tier replaces an earlier one (a province renames its tier)
    tiers: dict[Literal["district", "provincial"], Tier] = {}
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

    @field_validator("threshold_percent", mode="before")
    @classmethod
    def _finite(cls, value):
        # NaN fails every comparison: without this it is reported as "must be at least 0"
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(tr("cat.not_finite", got=value))
        return value

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "unit":
            if self.value is None:
                raise ValueError(tr("cat.unit_needs_value"))
            extra = [k for k in ("population", "fact", "threshold_percent") if getattr(self, k) is not None]
        else:
            missing = [k for k in ("population", "fact", "threshold_percent") if getattr(self, k) is None]
            if missing:
                raise ValueError(tr("cat.share_needs", keys=", ".join(missing)))
            extra = ["value"] if self.value is not None else []
        if extra:
            raise ValueError(tr("cat.not_allowed_on", keys=", ".join(extra), kind=self.kind))
        return self

    @property
    def threshold(self) -> Fraction:
        return _exact(self.threshold_percent)


@functools.lru_cache(maxsize=None)
def _exact(percent: int | float) -> Fraction:
    """A threshold as typed ("92.5" is 185/2, not the float's binary value); cached: the
    overview evaluates thousands of units."""
    return Fraction(str(percent))


class Criterion(_Labelled):
    id: str
    rule: Annotated[str, Field(pattern=f"^({_RULE})$")] = "all"
    entries: list[Entry]

    @model_validator(mode="after")
    def _satisfiable(self):
        _reachable(self.rule, len(self.entries), "cat.rule_entries")
        return self


class LearningUnitCatalog(_Labelled):
    kind: Literal["learning-unit"]
    id: str
    version: str
    tier: Literal["district", "provincial"]
    level: Annotated[int, Field(ge=1)]
    source: str
    rule: Annotated[str, Field(pattern=f"^({_RULE})$")] = "all"
    criteria: list[Criterion]

    @model_validator(mode="after")
    def _satisfiable(self):
        _reachable(self.rule, len(self.criteria), "cat.rule_criteria")
        return self

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
    # an indicator's score column is headed by this and its number (CS1, I1); its label is the full name
    indicator_short_vi: str = "CS"
    indicator_short_en: str = "I"
    competences: list[Competence]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _satisfiable(self):
        lo, hi = self.min_score, self.max_score
        if lo > hi:
            raise KeyedError("min_score", tr("cat.score_range", min=lo, max=hi))
        if not lo <= self.pass_each <= hi:
            raise KeyedError("pass_each", tr("cat.pass_each_range", each=self.pass_each, min=lo, max=hi))
        best = hi * len(self.indicators)
        if self.pass_total > best:
            raise KeyedError("pass_total", tr("cat.pass_total_unreachable", total=self.pass_total,
                                                n=len(self.indicators), max=hi, best=best))
        return self

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
        elif part in ("int", "float", "str") or "[" in str(part):
            continue  # pydantic's union / validator branch names, not keys of the file
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return tr("cat.unknown_key")
    if err["type"] == "missing":
        return tr("cat.missing_key")
    if err["type"] == "string_pattern_mismatch":  # the only patterns are rules
        return tr("cat.bad_rule", got=err["input"])
    if err["type"] in _PYDANTIC:
        return tr(_PYDANTIC[err["type"]], **err.get("ctx", {}))
    return err["msg"].removeprefix("Value error, ")


def read_file(path: Path):
    """Parse and validate one catalog file (no cross-file checks)."""
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise CatalogError(path, "", tr("cat.not_utf8", byte=e.start)) from None
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(path, "", tr("cat.bad_toml", error=e)) from None
    except OSError as e:
        raise CatalogError(path, "", e.strerror or str(e)) from None
    kind = raw.get("kind")
    model = _FILE_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise CatalogError(path, "kind", tr("cat.missing_key") if kind is None else
                           tr("cat.bad_kind", kinds=", ".join(_FILE_MODELS), got=kind))
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        errors = e.errors()
        for err in errors:
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, KeyedError):
                err["loc"] = (*err["loc"], cause.key)
        key = _key(errors[0]["loc"])
        # a union (int | float) reports one error per branch: count keys, not errors
        others = len({_key(err["loc"]) for err in errors} - {key})
        more = tr("cat.more", n=others) if others else ""
        first = errors[0]
        if any(err["type"] == "float_type" and _key(err["loc"]) == key for err in errors):
            first = {"type": "float_type"}  # int | float: "a number", not "a whole number"
        raise CatalogError(path, key, _message(first) + more) from None


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
    tiers: dict[str, Tier] = field(default_factory=dict)

    # -- lookups --
    def for_level(self, tier: str, level: int) -> LearningUnitCatalog:
        for cat in self.units.values():
            if cat.tier == tier and cat.level == level:
                return cat
        raise KeyError(f"no catalog for tier {tier!r} level {level}")

    def tier_label(self, tier: str, lang: Lang = "vi") -> str:
        known = self.tiers.get(tier)
        return known.label(lang) if known else tier

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
            self.tiers.update(parsed.tiers)
            for section, current in (("unit_types", self.unit_types), ("scales", self.scales), ("facts", self.facts)):
                for name, value in getattr(parsed, section).items():
                    if name in current:
                        raise CatalogError(path, f"{section}.{name}", tr("cat.redefined"))
                    current[name] = value
            for name, values in parsed.scales.items():
                ids = [v.id for v in values]
                for i, value_id in enumerate(ids):
                    if value_id in ids[:i]:
                        raise CatalogError(path, f"scales.{name}[{i}].id", tr("cat.duplicate_id", id=value_id))
            self.fact_paths.update(dict.fromkeys(parsed.facts, path))
            return
        if isinstance(parsed, LearningCitizenCatalog):
            self.citizen = parsed
        else:
            for other in self.units.values():
                if other.id != parsed.id and (other.tier, other.level) == (parsed.tier, parsed.level):
                    # two catalogs for one tier x level would make the choice depend on file order
                    raise CatalogError(path, "id", tr("cat.level_taken", other=other.id, path=self.paths[other.id],
                                                         tier=parsed.tier, level=parsed.level))
            self.units[parsed.id] = parsed
        self.paths[parsed.id] = path

    def finish(self) -> "Catalogs":
        """Cross-file checks, then the facts that the Learning Citizen catalog defines."""
        if self.citizen is None:
            raise CatalogError(SHIPPED_DIR, "", tr("cat.no_citizen"))
        lc = self.citizen
        path = self.paths[lc.id]
        numbers = [i.number for i in lc.indicators]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            raise CatalogError(path, "indicators", tr("cat.indicator_numbers"))
        for i, comp in enumerate(lc.competences):
            for n in comp.indicators:
                if n not in numbers:
                    raise CatalogError(path, f"competences[{i}].indicators", tr("cat.unknown_indicator", n=n))
        for name in (lc.status_fact, lc.group_fact):
            if name not in self.facts:
                raise CatalogError(path, "status_fact" if name == lc.status_fact else "group_fact", tr("cat.unknown_fact", name=name))
        for ind in lc.indicators:
            self.facts[f"lc_{ind.number}"] = FactDef(
                type="int", min=lc.min_score, max=lc.max_score,
                vi=f"Chỉ số {ind.number}: {ind.vi}", en=f"Indicator {ind.number}: {ind.en}",
                aliases=[f"Chỉ số {ind.number}", f"CS{ind.number}", f"Indicator {ind.number}"],
                short_vi=f"{lc.indicator_short_vi}{ind.number}", short_en=f"{lc.indicator_short_en}{ind.number}")
        self.facts[lc.result_fact] = FactDef(type="bool", computed=True,
                                             vi="Công dân học tập", en="Learning Citizen")
        for name, fact in self.facts.items():
            if fact.scale is not None and fact.scale not in self.scales:
                raise CatalogError(self.fact_paths.get(name, SHIPPED_DIR), f"facts.{name}.scale", tr("cat.unknown_scale", name=fact.scale))
        for cat in self.units.values():
            self._check_unit_catalog(cat)
        return self

    def _check_unit_catalog(self, cat: LearningUnitCatalog) -> None:
        path = self.paths[cat.id]
        seen: set[str] = set()
        known_tags = set(self.unit_types) | {EDUCATION}
        for ci, crit in enumerate(cat.criteria):
            if crit.id in seen:
                raise CatalogError(path, f"criteria[{ci}].id", tr("cat.duplicate_id", id=crit.id))
            seen.add(crit.id)
            for ei, e in enumerate(crit.entries):
                where = f"criteria[{ci}].entries[{ei}]"
                if e.id in seen:
                    raise CatalogError(path, f"{where}.id", tr("cat.duplicate_id", id=e.id))
                seen.add(e.id)
                for key in ("applies_to", "not_for"):
                    for tag in getattr(e, key):
                        if tag not in known_tags:
                            raise CatalogError(path, f"{where}.{key}", tr("cat.unknown_type", tag=tag))
                if e.kind == "unit":
                    if e.value != "bool" and e.value not in self.scales:
                        raise CatalogError(path, f"{where}.value", tr("cat.bad_value_kind", got=e.value))
                    if e.value == "bool" and e.at_least is not None:
                        raise CatalogError(path, f"{where}.at_least", tr("cat.no_minimum_bool"))
                    if e.value != "bool":
                        if e.at_least is None:
                            raise CatalogError(path, f"{where}.at_least", tr("cat.minimum_required"))
                        if e.at_least not in self.scale_ids(e.value):
                            raise CatalogError(path, f"{where}.at_least", tr("cat.not_in_scale", value=e.at_least, scale=e.value))
                    continue
                fact = self.facts.get(e.fact)
                if fact is None:
                    raise CatalogError(path, f"{where}.fact", tr("cat.unknown_fact", name=e.fact))
                if fact.type == "bool" and e.at_least is not None:
                    raise CatalogError(path, f"{where}.at_least", tr("cat.no_minimum_bool"))
                if fact.type == "scale":
                    if e.at_least is None:
                        raise CatalogError(path, f"{where}.at_least", tr("cat.minimum_required"))
                    if e.at_least not in self.scale_ids(fact.scale):
                        raise CatalogError(path, f"{where}.at_least", tr("cat.not_in_scale", value=e.at_least, scale=fact.scale))
                if fact.type == "int" and not isinstance(e.at_least, int):
                    raise CatalogError(path, f"{where}.at_least", tr("cat.minimum_int"))
                if fact.type == "int" and fact.max is not None and e.at_least > fact.max:
                    raise CatalogError(path, f"{where}.at_least", tr("cat.at_least_above_max", at_least=e.at_least,
                                                                     max=fact.max, fact=e.fact))


def catalog_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def load_catalogs(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Catalogs:
    """Shipped catalogs, then each extra directory in order (same id: the later one wins).
    The validated result is cached on disk (``_cached``): a command that runs again on the same
    files skips the validation."""
    files = catalog_files(SHIPPED_DIR)
    for d in extra_dirs:
        d = Path(d).expanduser()
        if d.is_dir():
            files += catalog_files(d)
        elif d.exists():
            raise CatalogError(d, "", tr("cat.not_a_directory"))
    return _cached(files, lambda: _merge([(p, read_file(p)) for p in files]))


def _cache_key(files: list[Path]) -> str:
    """Every file's path and bytes, and what shapes the pickled objects: this module's source
    (every class pickled is defined here), the pydantic and Python versions."""
    h = hashlib.sha256(f"{pydantic.VERSION}\0{sys.version}\0".encode())
    h.update(Path(__file__).read_bytes())
    for path in files:
        h.update(b"\0" + str(path.resolve()).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def _cached(files: list[Path], build: Callable[[], Catalogs]) -> Catalogs:
    """``build()``, or the pickle it left in the user's cache directory for these very files.
    Only a file this user owns and alone can write is read; a stale, foreign or broken one is
    ignored and replaced. A broken catalog is never cached, so it fails as it always did."""
    directory = Path(platformdirs.user_cache_dir("hoctap")) / "catalogs"
    try:
        path = directory / f"{_cache_key(files)}.pickle"
    except OSError:
        return build()  # a file that cannot be read: let the loader say so
    key = path.stem
    try:
        # only the user's own private folder and file, never through a link, and the pickle must
        # say it was built for this key (a file renamed or linked to it by someone else is not)
        own = directory.stat()
        if own.st_uid == os.getuid() and not own.st_mode & 0o077:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as f:
                st = os.fstat(f.fileno())
                if st.st_uid == os.getuid() and not st.st_mode & 0o077:
                    built_for, cats = pickle.load(f)
                    if built_for == key and isinstance(cats, Catalogs):
                        return cats
    except Exception:  # missing, truncated, or pickled by other code: rebuild it
        pass
    cats = build()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if directory.stat().st_uid != os.getuid():
            return cats
        os.chmod(directory, 0o700)
        for old in directory.glob("*.pickle"):  # one cache: the files in force now
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")  # created 0600
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, cats), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full cache directory only costs the next command the validation
    return cats


def check_file(path: Path, extra_dirs: list[Path] | tuple[Path, ...] = ()):
    """Validate one file on its own, with what it may override or use: the shipped catalogs and
    the vocabularies of ``extra_dirs`` (its facts may come from them). The other catalogs there
    are left out, and so is any vocabulary that is itself broken: another file's mistake is not
    this file's (``catalog list`` reports it). Returns the parsed file."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(path, "", tr("cat.no_such_file"))
    parsed = read_file(path)
    shipped = [(p, read_file(p)) for p in catalog_files(SHIPPED_DIR) if p.resolve() != path.resolve()]
    vocabularies = []
    for p in (f for d in extra_dirs if Path(d).is_dir() for f in catalog_files(Path(d))):
        if p.resolve() == path.resolve():
            continue
        try:
            item = read_file(p)
        except CatalogError:
            continue
        if isinstance(item, VocabularyFile):
            vocabularies.append((p, item))
    try:
        _merge(shipped + vocabularies + [(path, parsed)])
    except CatalogError as e:
        if e.path == str(path) or not vocabularies:
            raise
        # a user vocabulary clashes with the others: check against the shipped ones alone
        try:
            _merge(shipped + [(path, parsed)])
        except CatalogError:
            raise e from None
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
