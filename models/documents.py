"""Word documents rendered from .docx templates (docxtpl: Jinja inside Word).

Shipped templates live in ``models/templates/`` (built by ``models/templates/build.py``); a user
overrides one by putting a file of the same name in the ``templates`` folder beside the config,
as catalogs are overridden. Rendering is strict: an unknown field is an error, never a blank,
and any error names the template file and the line (docxtpl starts each paragraph on a new
line of the Jinja source, so a line is a paragraph, quoted in the message). Documents render to
bytes; callers write them through ``files.atomic_write``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from hoctap.models.config import config_path
from hoctap.models.errors import HoctapError
from hoctap.models.files import atomic_write
from hoctap.models.i18n import tr

SHIPPED = Path(__file__).parent / "templates"
_TAGS = re.compile(r"<[^>]+>")


def user_templates_dir() -> Path:
    return config_path().parent / "templates"


def find_template(name: str) -> Path:
    """The user's template of that name if there is one, else the shipped one."""
    for folder in (user_templates_dir(), SHIPPED):
        path = folder / name
        if path.is_file():
            return path
    raise HoctapError(tr("doc.template_missing", name=name))


def _where(source: str | None, line: int | None) -> tuple[int | str, str]:
    """The paragraph a Jinja line falls in, counted as Word shows them (from 1), and its text."""
    if not source or not line:
        return "?", ""
    lines = source.splitlines()[:line]
    number = sum(1 for x in lines if x.startswith("<w:p"))
    text = " ".join(_TAGS.sub("", lines[-1]).split()) if lines else ""
    return number or "?", text if len(text) <= 80 else text[:79] + "…"


def _template_line(tb) -> int | None:
    """The template line of a rendering error: Jinja rewrites tracebacks to show it."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_bytes(name: str, context: dict) -> bytes:
    """The document ``name`` rendered with ``context``. Raises ``HoctapError`` naming the file
    and line for a syntax error or an unknown field."""
    path = find_template(name)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        doc = DocxTemplate(path)
        doc.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise HoctapError(tr("doc.template_bad", path=path, error=e)) from None
    source = None
    try:
        # the source Jinja sees, as docxtpl builds it, to quote the paragraph at fault
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(doc.get_xml()))
        doc.render(context, jinja_env=env)
    except jinja2.TemplateSyntaxError as e:
        line, text = _where(source, e.lineno)
        raise HoctapError(tr("doc.template_syntax", path=path, line=line, error=e.message, text=text)) from None
    except jinja2.UndefinedError as e:
        line, text = _where(source, _template_line(e.__traceback__))
        raise HoctapError(tr("doc.template_field", path=path, line=line, error=e.message, text=text)) from None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_document(name: str, context: dict, out_path: str | Path) -> Path:
    """Render ``name`` to ``out_path``, written whole or not at all."""
    data = render_bytes(name, context)
    with atomic_write(out_path) as f:
        f.write(data)
    return Path(out_path)
