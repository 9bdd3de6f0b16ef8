"""Person columns and facts: names, accepted spellings, parsing and display of values.

Stored values are text: booleans "1"/"0", scale values by id, integers in decimal.
Parsing accepts ids and Vietnamese or English labels, any case, NFC or NFD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Literal

from hoctap.models.catalog import Catalogs
from hoctap.models import i18n
from hoctap.models.errors import InputError
from hoctap.models.i18n import both, tr, tr_in
from hoctap.models.text import char_name, code_key, fold, hidden_char, nfc


TRUE_WORDS = {fold(w) for w in ("1", "x", "có", "co", "đạt", "dat", "yes", "y", "true", "t", "✓", "v")}
FALSE_WORDS = {fold(w) for w in ("0", "không", "khong", "không đạt", "chưa đạt", "chưa", "no", "n", "false", "f", "✗", "-")}


@dataclass(frozen=True)
class PersonField:
    name: str
    required: bool = False
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (id, accepted spellings)
    integer: bool = False
    aliases: tuple[str, ...] = ()


PERSON_FIELDS: dict[str, PersonField] = {f.name: f for f in (
    PersonField("code", required=True, aliases=("mã", "mã số", "mã cán bộ", "mã định danh", "mã học sinh", "id", "số hiệu")),
    PersonField("full_name", required=True, aliases=("họ và tên", "họ tên", "tên", "name", "full name")),
    PersonField("kind", choices=(
        ("staff", ("staff", "member", "thành viên", "cán bộ", "giáo viên", "nhân viên", "viên chức", "công chức")),
        ("learner", ("learner", "student", "pupil", "người học", "học sinh", "sinh viên", "học viên")),
    ), aliases=("đối tượng", "loại", "type")),
    PersonField("department", aliases=("phòng ban", "phòng", "bộ phận", "tổ", "khoa", "lớp", "đơn vị")),
    PersonField("position", aliases=("chức vụ", "vị trí", "vị trí việc làm", "chức danh")),
    PersonField("birth_year", integer=True, aliases=("năm sinh", "birth year", "year of birth")),
    PersonField("gender", choices=(
        ("male", ("male", "m", "nam")),
        ("female", ("female", "f", "nữ", "nu")),
        ("other", ("other", "khác")),
    ), aliases=("giới tính", "sex")),
)}


def parse_bool(name: str, raw: str) -> str | None:
    key = fold(raw)
    if key == "":
        return None
    if key in TRUE_WORDS:
        return "1"
    if key in FALSE_WORDS:
        return "0"
    raise InputError(tr("err.bad_bool", name=name, value=raw))


MAX_TEXT = 500  # longer than any real name or department: a file read wrong, not a value
MAX_CODE = 64
YEAR_MIN, YEAR_MAX = 2000, 2100  # an assessment's year: Circular 24/2023 onwards, with room


def check_text(label: str | Callable[[], str], text: str, *, allow: str = "\t") -> str:
    """``text`` unless it holds a control or invisible character (ESC, BEL, NUL, zero-width
    space, bidi override...): those are refused, never stored. ``label`` may be a function
    giving it: a bulk path translates it only for a refused value."""
    bad = hidden_char(text, allow=allow)
    if bad is not None:
        raise InputError(tr("err.hidden_char", name=label() if callable(label) else label, char=char_name(bad)))
    return text


def parse_code(raw, label: str | None = None) -> str:
    """A unit's or a person's code in stored form: NFC, trimmed, inner spaces collapsed,
    upper-case (codes are compared without regard to case), no control or invisible character."""
    name = (lambda: label) if label else (lambda: tr("field.code"))  # translated only when refused
    if isinstance(raw, (bool, list, tuple, dict)):  # a bundle's `code = true` or `["a"]`
        raise InputError(tr("err.code_type", name=name()))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # spreadsheets give 1001.0 for 1001
    text = "" if raw is None else nfc(str(raw)).strip()
    if "\n" in text or "\r" in text:
        raise InputError(tr("err.line_break", name=name()))
    check_text(name, text)
    text = " ".join(code_key(text).split())
    if not text:
        raise InputError(tr("err.required", name=name()))
    if len(text) > MAX_CODE:
        raise InputError(tr("err.too_long", name=name(), limit=MAX_CODE))
    return text


def parse_name(raw, label: str) -> str:
    """A name (of a unit or a person): NFC, whitespace collapsed, one line, no control characters."""
    text = nfc(str(raw)).strip()
    if "\n" in text or "\r" in text:
        raise InputError(tr("err.line_break", name=label))
    check_text(label, text)
    if len(text) > MAX_TEXT:
        raise InputError(tr("err.too_long", name=label, limit=MAX_TEXT))
    return " ".join(text.split())


def parse_year(raw) -> int:
    """An assessment's year, from YEAR_MIN to YEAR_MAX (an int, or text of one)."""
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    else:
        text = nfc(str(raw)).strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None
    if value is None or not YEAR_MIN <= value <= YEAR_MAX:
        raise InputError(tr("err.bad_year", value=str(raw)[:40], lo=YEAR_MIN, hi=YEAR_MAX))
    return value


def parse_person_field(name: str, raw) -> str | int | None:
    spec = PERSON_FIELDS[name]
    if name == "code":
        return parse_code(raw)
    text = "" if raw is None else nfc(str(raw)).strip()
    if "\n" in text or "\r" in text:  # a stray quote in a CSV makes one field of many lines
        raise InputError(tr("err.line_break", name=tr(f"field.{name}")))
    if len(text) > MAX_TEXT:
        raise InputError(tr("err.too_long", name=tr(f"field.{name}"), limit=MAX_TEXT))
    check_text(lambda: tr(f"field.{name}"), text)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))  # spreadsheets give 1985.0 for 1985
    if text == "":
        if spec.required:
            raise InputError(tr("err.required", name=tr(f"field.{name}")))
        return None
    if spec.integer:
        hi = date.today().year
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not 1900 <= value <= hi:
            raise InputError(tr("err.bad_int", name=tr(f"field.{name}"), value=text, lo=1900, hi=hi))
        return value
    if spec.choices:
        key = fold(text)
        for cid, words in spec.choices:
            if key == cid or key in {fold(w) for w in (*words, *both(cid))}:
                return cid
        raise InputError(tr("err.bad_choice", name=tr(f"field.{name}"), value=text,
                            choices=", ".join(tr(c) for c, _ in spec.choices)))
    return " ".join(text.split())


def parse_fact(catalogs: Catalogs, name: str, raw) -> str | None:
    """The stored form of a fact value, or None for "no value" (a blank)."""
    fact = catalogs.facts.get(name)
    if fact is None:
        raise InputError(tr("err.unknown_field", name=name))
    if fact.computed:
        raise InputError(tr("err.computed_fact", name=name))
    label = fact.label(i18n.lang())  # messages name the fact as the user reads it, not by its id
    if isinstance(raw, bool):
        if fact.type == "bool":
            return "1" if raw else "0"
        raw = str(raw).upper()  # TRUE is not a score nor a scale value: refused below
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = "" if raw is None else nfc(str(raw)).strip()
    if text == "":
        return None
    check_text(label, text)
    if fact.type == "bool":
        return parse_bool(label, text)
    if fact.type == "int":
        try:
            value = int(text)
        except ValueError:
            value = None
        lo = fact.min if fact.min is not None else -(10**9)
        hi = fact.max if fact.max is not None else 10**9
        if value is None or not lo <= value <= hi:
            raise InputError(tr("err.bad_int", name=label, value=text, lo=lo, hi=hi))
        return str(value)
    value = catalogs.match_scale(fact.scale, text)
    if value is None:
        choices = ", ".join(catalogs.scale_label(fact.scale, v, i18n.lang()) for v in catalogs.scale_ids(fact.scale))
        raise InputError(tr("err.bad_choice", name=label, value=text, choices=choices))
    return value


def parse_unit_value(catalogs: Catalogs, value_kind: str, entry_id: str, raw: str) -> str | None:
    """A unit entry's value: yes/no, or an id of the entry's scale."""
    text = nfc(raw).strip()
    if text == "":
        return None
    if value_kind == "bool":
        return parse_bool(entry_id, text)
    value = catalogs.match_scale(value_kind, text)
    if value is None:
        raise InputError(tr("err.bad_choice", name=entry_id, value=text, choices=", ".join(catalogs.scale_ids(value_kind))))
    return value


Bools = Literal["marks", "words", "cell", "marked"]


def bool_text(yes: bool, lang: str, style: Bools = "words") -> str:
    """Yes/no as "marks" (✓/✗, grids), "words" (có/không, in a line of text), "cell" (Có/Không,
    standing alone in a workbook cell) or "marked" (✓ có, pickers)."""
    mark = "✓" if yes else "✗"
    if style == "marks":
        return mark
    word = tr_in(lang, ("cell.yes" if yes else "cell.no") if style == "cell" else ("yes" if yes else "no"))
    return f"{mark} {word}" if style == "marked" else word


def display_fact(catalogs: Catalogs, name: str, value, lang: str = "vi", *, bools: Bools = "marks",
                 blank: str = "") -> str:
    """How a stored value of a person field or a fact reads in ``lang``: a choice (kind, gender)
    or a scale value by its label, a yes/no as ``bools`` says, a number or text as it is;
    ``blank`` for no value. The one formatter of the core: report, export, CLI and TUI."""
    if value is None:
        return blank
    spec = PERSON_FIELDS.get(name)
    if spec is not None:
        return tr_in(lang, value) if spec.choices else str(value)
    fact = catalogs.facts.get(name)
    if fact is None or fact.type == "int":
        return str(value)
    return _typed_text(catalogs, "bool" if fact.type == "bool" else fact.scale, value, lang, bools)


def display_entry_value(catalogs: Catalogs, entry, value: str | None, lang: str, *, bools: Bools = "words",
                        blank: str = "") -> str:
    """A unit entry's stored value (yes/no or an id of its scale), as ``display_fact`` words it."""
    if value is None:
        return blank
    return _typed_text(catalogs, entry.value, value, lang, bools)


def _typed_text(catalogs: Catalogs, value_kind: str, value: str, lang: str, bools: Bools) -> str:
    if value_kind == "bool":
        return bool_text(value == "1", lang, bools)
    return catalogs.scale_label(value_kind, value, lang)


def match_column(catalogs: Catalogs, header: str, *, computed: bool = False) -> str | None:
    """The canonical person field or fact a column header names (id, label or alias, any case,
    NFC or NFD), or None. Computed facts are named only with ``computed`` (a filter may test
    them; an import or an assignment cannot set them)."""
    key = fold(header)
    if not key:
        return None
    for name, spec in PERSON_FIELDS.items():
        if key in {name, *map(fold, both(f"field.{name}")), *map(fold, spec.aliases)}:
            return name
    for name, fact in catalogs.facts.items():
        if fact.computed and not computed:
            continue
        if key in {fold(name), fold(fact.vi), fold(fact.en), *map(fold, fact.aliases)}:
            return name
    return None


def field_name(catalogs: Catalogs, text: str) -> str:
    """The person field or fact ``text`` names (as ``match_column``, computed facts included);
    an unknown name comes back as given, for the caller to refuse with its own message."""
    return match_column(catalogs, text, computed=True) or text


def parse_date(raw: str | date | None, name: str) -> date | None:
    """YYYY-MM-DD or the Vietnamese DD/MM/YYYY; empty is "no date"."""
    if raw is None or isinstance(raw, date):
        return raw
    text = nfc(raw).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise InputError(tr("err.bad_date", name=name, value=text))
