"""Reading a roster file into rows of cells: bounded, decoded, checked, every refusal a Problem.

Only regular files are read, and at most ``MAX_FILE_BYTES`` of them (a FIFO or /dev/zero
would block or fill memory); a text line may hold ``MAX_LINE_CHARS``. Text encodings: a BOM
(UTF-8, UTF-16), UTF-16 without one, UTF-8, else Windows-1258 when the text is Vietnamese as
that code page writes it; anything else, a stray byte in a UTF-8 file, or UTF-8 that was once
read as Windows-1252 ("Ã", "á»", "Æ°") is refused with its row, and ``encoding=`` forces one.
A workbook's sheets are checked for their declared size before calamine reads them, and cells
holding a formula with no saved value are reported rather than read as blank.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from hoctap.models.csvcells import restore
from hoctap.models.i18n import tr

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LINE_CHARS = 100_000  # a roster row is a few hundred characters; 30 cells of 500 are 15,000
MAX_SHEET_ROWS = 1_000_000
MAX_SHEET_CELLS = 20_000_000  # calamine allocates the declared rectangle up front
DELIMITERS = (",", ";", "\t", "|")
ZIP_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # xlsx/ods and legacy xls, whatever the name
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based row in the file (spreadsheet numbering)
    column: str | None
    message: str
    col: int | None = None  # 0-based column index, shown as a spreadsheet letter

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(tr("importer.row", row=self.row))
        if self.column or self.col is not None:
            letter = f" ({column_letter(self.col)})" if self.col is not None else ""
            name = f"{self.column!r}{letter}" if self.column else column_letter(self.col)
            where.append(tr("importer.column", name=name))
        return f"{', '.join(where)}: {self.message}" if where else self.message


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class ImportFailed(Exception):
    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path, self.problems = str(path), problems
        super().__init__(f"{path}: {len(problems)} problem(s)")


def check_encoding(name: str) -> str:
    """The codec's canonical name; InputError-free: raises LookupError with a translated message."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        raise LookupError(tr("importer.unknown_encoding", name=name)) from None
    try:
        "".encode(info.name)
        b"".decode(info.name)
    except (LookupError, TypeError):  # a bytes-to-bytes codec (base64, zlib) is not a text encoding
        raise LookupError(tr("importer.unknown_encoding", name=name)) from None
    return info.name


@dataclass
class Sheet:
    rows: list[tuple[int, list]]
    read_as: str  # translated: how the file was read
    encoding: str  # the text encoding; "" for a workbook
    formulas: set[tuple[int, int]] | None = None  # (row, col) of formula cells without a saved value


# ---- bytes -------------------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    """The whole file, if it is a regular file within the size limit."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_regular"))])
        if st.st_size > MAX_FILE_BYTES:
            raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
        # O_NONBLOCK: should it have become a FIFO since the stat, opening does not hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise ImportFailed(path, [Problem(None, None, tr("importer.not_regular"))])
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ImportFailed(path, [Problem(None, None, tr("importer.no_file"))]) from None
    except OSError as e:
        from hoctap.models.files import os_reason

        raise ImportFailed(path, [Problem(None, None, os_reason(e))]) from None
    if len(data) > MAX_FILE_BYTES:  # it grew since the stat
        raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
    if not data.strip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"):  # nothing but a byte-order mark and blanks
        raise ImportFailed(path, [Problem(None, None, tr("importer.empty"))])
    return data


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# ---- text --------------------------------------------------------------------------------------

VIETNAMESE_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# UTF-8 read as Windows-1252/Latin-1: a lead byte's letter, then continuation bytes' symbols
MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030"
                      "\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122"
                      "\u0161\u203a\u0153\u017e\u0178]+")


def _is_mojibake(run: str) -> bool:
    for enc in ("cp1252", "latin-1"):
        try:
            raw = run.encode(enc)
            return len(raw.decode("utf-8")) < len(run)
        except UnicodeError:
            continue
    return False


def _vietnamese_1258(text: str) -> bool:
    """Whether text decoded from Windows-1258 reads as Vietnamese: it has tone marks, and each
    sits on a Vietnamese vowel (Portuguese "João" in Windows-1252 would read "Joăo", toneless)."""
    toned = False
    for ch in set(text):
        if ord(ch) < 128:
            continue
        if unicodedata.combining(ch):
            return False  # a tone mark that did not combine with the letter before it
        d = unicodedata.normalize("NFD", ch)
        if any(c in TONES for c in d):
            toned = True
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
            if base not in VIETNAMESE_VOWELS:
                return False
    return toned


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was read with, or ImportFailed naming the row at fault."""
    def bad(e: UnicodeDecodeError, enc: str, skip: int = 0):
        offset = skip + e.start
        return ImportFailed(path, [Problem(_row_of(data, offset), None,
                                           tr("importer.bad_byte", encoding=enc, byte=data[offset]))])

    if encoding is not None:
        skip = len(codecs.BOM_UTF8) if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as e:
            raise bad(e, encoding, skip) from None
        return unicodedata.normalize("NFC", text), encoding
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.removesuffix("-sig")
            except UnicodeDecodeError as e:
                raise bad(e, enc.removesuffix("-sig")) from None
    if data[:200].count(b"\x00") > len(data[:200]) // 4:  # UTF-16 without a BOM
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_text"))]) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        lenient = data.decode("utf-8", errors="replace")
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in lenient):
            raise bad(e, "utf-8") from None  # UTF-8 with a stray byte, not another code page
    text = data.decode("cp1258", errors="replace")  # the Vietnamese Windows code page
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x1a\x1b\ufffd"):
        raise ImportFailed(path, [Problem(None, None, tr("importer.not_text"))])
    text = unicodedata.normalize("NFC", text)  # its tone marks are combining characters
    if not _vietnamese_1258(text):
        raise ImportFailed(path, [Problem(None, None, tr("importer.unsure_8bit"))])
    return text, "windows-1258"


def _long_line(text: str) -> int | None:
    """The row of the first line longer than the limit, if any."""
    if len(text) <= MAX_LINE_CHARS:
        return None
    for row, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            return row
    return None


def check_cells(path: Path, rows: list[tuple[int, list]], header: list | None = None) -> None:
    """Refuse text garbled by a past mis-decoding, naming its row and column."""
    problems = []
    for line, record in rows:
        for col, cell in enumerate(record):
            if type(cell) is str and (m := MOJIBAKE.search(cell)) and _is_mojibake(m.group()):
                name = str(header[col]) if header and col < len(header) and header[col] is not None else None
                problems.append(Problem(line, name, tr("importer.mojibake", text=cell), col))
                if len(problems) >= 50:
                    raise ImportFailed(path, problems)
    if problems:
        raise ImportFailed(path, problems)


def split(text: str, delimiter: str, limit: int | None = None, cell=None) -> list[tuple[int, list]]:
    """(line number, cells) for each record; quoted cells may span lines. A quote that does not
    close where a cell ends raises ``BrokenCSV`` with the line the record starts on (the lenient
    reader would swallow the rest of the file into one cell). ``cell(value)``, if given, is
    applied to every cell as it is read (no second copy of the file's records)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    start = 1
    try:
        for record in reader:
            rows.append((start, record if cell is None else [cell(c) for c in record]))
            start = reader.line_num + 1
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as e:
        raise BrokenCSV(start, str(e), rows) from None
    return rows


class BrokenCSV(csv.Error):
    def __init__(self, line: int, message: str, rows: list[tuple[int, list]]):
        self.line, self.rows = line, rows  # the records read before the break
        super().__init__(message)


def read_text(path: Path, data: bytes, choose_delimiter, encoding: str | None = None) -> Sheet:
    """``choose_delimiter(text)`` picks the separator under which a header appears."""
    text, used = decode(path, data, encoding)
    if "\x00" in text:
        raise ImportFailed(path, [Problem(None, None, tr("importer.nul"))])
    if (row := _long_line(text)) is not None:
        raise ImportFailed(path, [Problem(row, None, tr("importer.line_too_long", limit=MAX_LINE_CHARS))])
    delimiter = choose_delimiter(text)
    try:
        rows = split(text, delimiter, cell=restore)  # undo the export's formula guard
    except BrokenCSV as e:
        raise ImportFailed(path, [Problem(e.line, None, tr("importer.broken_csv", error=e))]) from None
    name = {",": "importer.comma", ";": "importer.semicolon", "\t": "importer.tab", "|": "importer.bar"}[delimiter]
    return Sheet(rows, tr("importer.text_as", encoding=used, delimiter=tr(name)), used)


# ---- workbooks -----------------------------------------------------------------------------------

CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]+)\"")
FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>((?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b(?:(?!</(?:\w+:)?c>).)*?)</(?:\w+:)?c>", re.S)
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part in an xlsx (from the workbook and its relationships)."""
    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") and el.get(REL_NS) in targets:
            target = targets[el.get(REL_NS)].lstrip("/")
            out[el.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _declared_size(ref: str) -> tuple[int, int]:
    cells = [CELL_REF.fullmatch(part.replace("$", "")) for part in ref.split(":")]
    if not all(cells):
        return 0, 0
    rows = [int(c.group(2)) for c in cells]
    cols = [column_index(c.group(1)) for c in cells]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _workbook_checks(path: Path, data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Refuse sheets that declare a huge range; the formula cells without a value, per sheet."""
    if not data.startswith(ZIP_MAGIC):
        return {}
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(z)
        formulas: dict[str, set[tuple[int, int]]] = {}
        for name, part in parts.items():
            try:
                info = z.getinfo(part)
            except KeyError:
                continue
            with z.open(info) as f:
                head = f.read(4096)
            m = DIMENSION.search(head)
            if m:
                ref = m.group(1).decode("ascii", "replace")
                rows, cols = _declared_size(ref)
                if rows > MAX_SHEET_ROWS or rows * cols > MAX_SHEET_CELLS:
                    raise ImportFailed(path, [Problem(None, None, tr("importer.sheet_too_big", sheet=name, ref=ref,
                                                                     rows=rows, cols=cols))])
            if info.file_size > 20 * MAX_FILE_BYTES:
                raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
            xml = z.read(info)
            if b"<f" not in xml and b":f" not in xml:
                continue
            found = set()
            for cell in FORMULA_CELL.finditer(xml):
                attrs, body = cell.group(1), cell.group(2)
                if re.search(rb"<(?:\w+:)?v\b[^>]*>[^<]", body) or re.search(rb"<(?:\w+:)?is\b", body):
                    continue
                r = re.search(rb'\br="([A-Z]+)([0-9]+)"', attrs)
                if r:
                    found.add((int(r.group(2)), column_index(r.group(1).decode())))
            formulas[name] = found
        return formulas
    except ImportFailed:
        raise
    except Exception:  # noqa: BLE001 - a damaged zip (zlib, CRC, struct errors): calamine then says what is wrong
        return {}


def read_workbook(path: Path, data: bytes, has_header) -> Sheet:
    """The first sheet that has a header row (a workbook may open with a cover or summary);
    ``has_header(rows)`` says whether a sheet has one."""
    from python_calamine import CalamineWorkbook

    formulas = _workbook_checks(path, data)
    first = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            rows = [(i + 1, list(r)) for i, r in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False))]
            sheet = Sheet(rows, tr("importer.sheet_as", sheet=name), "", formulas.get(name))
            if has_header(rows):
                return sheet
            first = sheet if first is None else first
    except ImportFailed:
        raise
    except Exception as e:  # calamine raises its own error types for damaged files
        raise ImportFailed(path, [Problem(None, None, tr("importer.bad_workbook", error=e))]) from None
    return first or Sheet([], tr("importer.sheet_as", sheet=""), "")


def read_sheet(path: Path, choose_delimiter, has_header, encoding: str | None = None) -> Sheet:
    """Rows of a CSV/text or spreadsheet file, told apart by content rather than by name."""
    path = Path(path)
    data = read_bytes(path)
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path, data, has_header)
    return read_text(path, data, choose_delimiter, encoding)
