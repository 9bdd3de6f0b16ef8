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
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator
from xml.etree import ElementTree

from hoctap.models.csvcells import QUOTE, restore
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
    """A file refused: its problems (the first ones, when there are very many) and how many it has."""

    def __init__(self, path: Path | str, problems: list[Problem], total: int | None = None):
        self.path, self.problems = str(path), problems
        self.total = len(problems) if total is None else total
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
    """A file's records: ``head`` (the first few, where a header is looked for) and
    ``records(progress)``, every record from the first, read as it is iterated."""
    head: list[tuple[int, list]]
    records: Callable[[Progress | None], Iterator[tuple[int, list]]]
    read_as: str  # translated: how the file was read
    encoding: str  # the text encoding; "" for a workbook
    formulas: set[tuple[int, int]] | None = None  # (row, col) of formula cells without a saved value


Progress = Callable[[int, int], None]  # progress(done, total): bytes of a text file, rows of a sheet
HEAD_RECORDS = 20  # records given to the delimiter and header search
HEAD_CHARS = (HEAD_RECORDS + 1) * MAX_LINE_CHARS  # ... read from at most this much text
BLOCK = 1 << 20  # bytes read at a time: a text file is never held whole


# ---- bytes -------------------------------------------------------------------------------------

@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """The file opened for reading, if it is a regular file within the size limit."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_regular"))])
        if st.st_size > MAX_FILE_BYTES:
            raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
        # O_NONBLOCK: should it have become a FIFO since the stat, opening does not hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        f = os.fdopen(fd, "rb")
    except FileNotFoundError:
        raise ImportFailed(path, [Problem(None, None, tr("importer.no_file"))]) from None
    except OSError as e:
        raise _unreadable(path, e) from None
    with f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_regular"))])
        try:
            yield f
        except OSError as e:
            raise _unreadable(path, e) from None


def _unreadable(path: Path, e: OSError) -> ImportFailed:
    from hoctap.models.files import os_reason

    return ImportFailed(path, [Problem(None, None, os_reason(e))])


def read_bytes(path: Path) -> bytes:
    """The whole file (a workbook: its reader needs it all), within the size limit."""
    with open_regular(path) as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since the stat
        raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
    if not data.strip(BLANK_BYTES):
        raise ImportFailed(path, [Problem(None, None, tr("importer.empty"))])
    return data


BLANK_BYTES = b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"  # a byte-order mark and blanks: an empty file


def _blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks; refused if it grows past the limit while being read."""
    size = 0
    with open_regular(path) as f:
        while block := f.read(BLOCK):
            size += len(block)
            if size > MAX_FILE_BYTES:
                raise ImportFailed(path, [Problem(None, None, tr("importer.too_big", mb=MAX_FILE_BYTES // 2**20))])
            yield block


def _lines_of(path: Path) -> Iterator[bytes]:
    """The blocks cut after their last newline, so that no character (nor a letter and its tone
    mark) is split between two: for the 8-bit and UTF-8 passes."""
    rest = b""
    for block in _blocks(path):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0 and len(block) < 4 * BLOCK:  # a line longer than a block: wait for its end
            rest = block
            continue
        rest = block[cut:] if cut else b""
        yield block[:cut] if cut else block
    if rest:
        yield rest


# ---- text --------------------------------------------------------------------------------------

VIETNAMESE_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# UTF-8 read as Windows-1252/Latin-1: a lead byte's letter, then continuation bytes' symbols
MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030"
                      "\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122"
                      "\u0161\u203a\u0153\u017e\u0178]+")
CONTROLS = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x1a\x1b\ufffd"  # not in a text file


def _is_mojibake(run: str) -> bool:
    for enc in ("cp1252", "latin-1"):
        try:
            raw = run.encode(enc)
            return len(raw.decode("utf-8")) < len(run)
        except UnicodeError:
            continue
    return False


def _vietnamese_1258(chars: set[str]) -> bool:
    """Whether the characters of a text decoded from Windows-1258 read as Vietnamese: it has
    tone marks, and each sits on a Vietnamese vowel (Portuguese "João" in Windows-1252 would
    read "Joăo", toneless)."""
    toned = False
    for ch in chars:
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


@dataclass(frozen=True)
class Encoding:
    codec: str  # what the file is read with ("utf-8-sig" drops a byte-order mark)
    name: str  # as the user is told
    normalize: bool  # NFC each line: a forced encoding, or Windows-1258's combining tone marks


def _first_error(path: Path, codec: str) -> tuple[int, int] | None:
    """(row, byte) of the first byte ``codec`` cannot read, or None: one pass, block by block."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    newlines = 0
    for block in _blocks(path):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as e:  # e.object: the decoder's pending bytes, then the block
            return newlines + e.object[:e.start].count(b"\n") + 1, e.object[e.start]
        newlines += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:  # a character cut off at the end
        return newlines + 1, e.object[e.start]
    return None


def _has_utf8_letters(path: Path) -> bool:
    """Whether the file holds valid UTF-8 beyond ASCII (then a bad byte is a stray one, not
    another code page)."""
    for block in _lines_of(path):
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in block.decode("utf-8", errors="replace")):
            return True
    return False


def text_encoding(path: Path, encoding: str | None = None) -> Encoding:
    """How the text file reads, or ImportFailed naming the row at fault. Read in blocks: a BOM
    (UTF-8, UTF-16), UTF-16 without one, UTF-8, else Windows-1258 if it reads as Vietnamese."""
    def bad(found: tuple[int, int], name: str) -> ImportFailed:
        row, byte = found
        return ImportFailed(path, [Problem(row, None, tr("importer.bad_byte", encoding=name, byte=byte))])

    if encoding is not None:
        codec = "utf-8-sig" if encoding == "utf-8" else encoding
        if found := _first_error(path, codec):
            raise bad(found, encoding)
        return Encoding(codec, encoding, True)
    head = next(_blocks(path), b"")
    for bom, codec, name in ((codecs.BOM_UTF8, "utf-8-sig", "utf-8"), (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
                             (codecs.BOM_UTF16_BE, "utf-16", "utf-16")):
        if head.startswith(bom):
            if found := _first_error(path, codec):
                raise bad(found, name)
            return Encoding(codec, name, False)
    if head[:200].count(b"\x00") > len(head[:200]) // 4:  # UTF-16 without a BOM
        name = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        if _first_error(path, name):
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_text"))])
        return Encoding(name, name, False)
    found = _first_error(path, "utf-8")
    if found is None:
        return Encoding("utf-8", "utf-8", False)
    if b"\x00" in head:  # no 8-bit text holds a NUL: a binary file (a photo, a zip) named .csv
        raise ImportFailed(path, [Problem(None, None, tr("importer.nul"))])
    if _has_utf8_letters(path):
        raise bad(found, "utf-8")
    chars: set[str] = set()
    for block in _lines_of(path):  # the Vietnamese Windows code page
        text = block.decode("cp1258", errors="replace")
        if any(ch in text for ch in CONTROLS):
            raise ImportFailed(path, [Problem(None, None, tr("importer.not_text"))])
        chars.update(unicodedata.normalize("NFC", text))  # its tone marks are combining characters
    if not _vietnamese_1258(chars):
        raise ImportFailed(path, [Problem(None, None, tr("importer.unsure_8bit"))])
    return Encoding("cp1258", "windows-1258", True)


def garbled(record: list) -> Iterator[tuple[int, str]]:
    """(column, cell) of the cells garbled by a past mis-decoding."""
    try:  # one search per row (no cell holds a NUL); a workbook's row may hold numbers
        text = "\x00".join(record)
    except TypeError:
        text = "\x00".join(c for c in record if type(c) is str)
    if not MOJIBAKE.search(text):
        return
    for col, cell in enumerate(record):
        if type(cell) is str and (m := MOJIBAKE.search(cell)) and _is_mojibake(m.group()):
            yield col, cell


def split(text: str, delimiter: str, limit: int | None = None, cell=None) -> list[tuple[int, list]]:
    """(line number, cells) for each record of a short text (a file's head); quoted cells may
    span lines. A quote that does not close where a cell ends raises ``BrokenCSV`` with the line
    the record starts on (the lenient reader would swallow the rest of the file into one cell)."""
    rows = []
    try:
        for row in _records(io.StringIO(text, newline=""), delimiter, cell):
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    except BrokenCSV as e:
        e.rows = rows
        raise
    return rows


def _records(lines: Iterable[str], delimiter: str, cell=None) -> Iterator[tuple[int, list]]:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    try:
        for record in reader:
            yield start, record if cell is None else [cell(c) for c in record]
            start = reader.line_num + 1
    except csv.Error as e:
        raise BrokenCSV(start, str(e), []) from None


class BrokenCSV(csv.Error):
    def __init__(self, line: int, message: str, rows: list[tuple[int, list]]):
        self.line, self.rows = line, rows  # the records read before the break
        super().__init__(message)


def _head(path: Path, enc: Encoding) -> tuple[str, bool]:
    """The text the delimiter and the header are looked for in, and whether the file goes on."""
    with open_regular(path) as raw:
        text = io.TextIOWrapper(raw, encoding=enc.codec, errors="replace", newline="").read(HEAD_CHARS)
    more = len(text) == HEAD_CHARS
    if more and (cut := text.rfind("\n")) > 0:
        text = text[:cut + 1]
    return (unicodedata.normalize("NFC", text) if enc.normalize else text), more


def _text_records(path: Path, enc: Encoding, delimiter: str, progress: Progress | None
                  ) -> Iterator[tuple[int, list]]:
    """Every record of the file, line by line: a line longer than the limit, a NUL, a broken
    quote or a byte changed since the encoding was checked stops it, naming the row."""
    row, quoted = 0, False  # quoted: the record being read has an apostrophe somewhere

    def lines(reader) -> Iterator[str]:
        nonlocal row, quoted
        while line := reader.readline(MAX_LINE_CHARS + 2):
            row += 1
            if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                raise ImportFailed(path, [Problem(row, None, tr("importer.line_too_long", limit=MAX_LINE_CHARS))])
            if "\x00" in line:
                raise ImportFailed(path, [Problem(row, None, tr("importer.nul"))])
            quoted = quoted or QUOTE in line
            yield unicodedata.normalize("NFC", line) if enc.normalize else line

    with open_regular(path) as raw:
        size = os.fstat(raw.fileno()).st_size
        reader = io.TextIOWrapper(raw, encoding=enc.codec, errors="strict", newline="")
        try:
            for n, (line, cells) in enumerate(_records(lines(reader), delimiter)):
                if progress and n % 5000 == 0:
                    progress(min(raw.tell(), size), size)
                if quoted:  # undo the export's formula guard
                    cells, quoted = [restore(c) for c in cells], False
                yield line, cells
        except BrokenCSV as e:
            raise ImportFailed(path, [Problem(e.line, None, tr("importer.broken_csv", error=e))]) from None
        except UnicodeDecodeError as e:  # the file was changed after its encoding was checked
            raise ImportFailed(path, [Problem(row + 1, None, tr("importer.bad_byte", encoding=enc.name,
                                                                 byte=e.object[e.start]))]) from None
    if progress:
        progress(size, size)


def _blank(path: Path) -> bool:
    return all(not block.strip(BLANK_BYTES) for block in _blocks(path))


def read_text(path: Path, choose_delimiter, encoding: str | None = None) -> Sheet:
    """``choose_delimiter(text)`` picks the separator under which a header appears."""
    if _blank(path):
        raise ImportFailed(path, [Problem(None, None, tr("importer.empty"))])
    enc = text_encoding(path, encoding)
    text, more = _head(path, enc)
    if "\x00" in text:
        raise ImportFailed(path, [Problem(None, None, tr("importer.nul"))])
    for row, line in enumerate(io.StringIO(text, newline=""), start=1):  # before csv's own field limit says it
        if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise ImportFailed(path, [Problem(row, None, tr("importer.line_too_long", limit=MAX_LINE_CHARS))])
    delimiter = choose_delimiter(text)
    try:
        head = split(text, delimiter, HEAD_RECORDS, cell=restore)
    except BrokenCSV as e:
        if not more:  # the whole file is in the head: the break is real
            raise ImportFailed(path, [Problem(e.line, None, tr("importer.broken_csv", error=e))]) from None
        head = e.rows  # else perhaps a record cut off by the head's end: the full read will tell
    name = {",": "importer.comma", ";": "importer.semicolon", "\t": "importer.tab", "|": "importer.bar"}[delimiter]
    return Sheet(head, lambda progress: _text_records(path, enc, delimiter, progress),
                 tr("importer.text_as", encoding=enc.name, delimiter=tr(name)), enc.name)


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
    ``has_header(rows)`` says whether a sheet has one. (calamine reads a sheet whole.)"""
    from python_calamine import CalamineWorkbook

    formulas = _workbook_checks(path, data)
    first = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            rows = [(i + 1, list(r)) for i, r in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False))]
            sheet = Sheet(rows[:HEAD_RECORDS], _sheet_records(rows), tr("importer.sheet_as", sheet=name), "",
                          formulas.get(name))
            if has_header(rows):
                return sheet
            first = sheet if first is None else first
    except ImportFailed:
        raise
    except Exception as e:  # calamine raises its own error types for damaged files
        raise ImportFailed(path, [Problem(None, None, tr("importer.bad_workbook", error=e))]) from None
    return first or Sheet([], _sheet_records([]), tr("importer.sheet_as", sheet=""), "")


def _sheet_records(rows: list[tuple[int, list]]):
    def records(progress: Progress | None) -> Iterator[tuple[int, list]]:
        total = len(rows)
        for i in range(total):
            if progress and i % 5000 == 0:
                progress(i, total)
            (line, record), rows[i] = rows[i], None  # let go once read
            yield line, record
        if progress:
            progress(total, total)
    return records


def read_sheet(path: Path, choose_delimiter, has_header, encoding: str | None = None) -> Sheet:
    """Records of a CSV/text or spreadsheet file, told apart by content rather than by name."""
    path = Path(path)
    with open_regular(path) as f:
        magic = f.read(4)
    if magic.startswith((ZIP_MAGIC, OLE_MAGIC)) or path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path, read_bytes(path), has_header)
    return read_text(path, choose_delimiter, encoding)
