"""Rendering a document: HTML from a Django template, PDF from the HTML with WeasyPrint
(docs/letters.md, "Templates" and "PDF").

The templates are `letters/documents/<kind>.html` in this app. A municipality overrides any of
them, or the shared layout `letters/documents/base.html`, by putting a file of the same name
in the folder `settings.RODTRAD_LETTER_TEMPLATES_DIR`; a separate template engine looks there
first. The template version stored on a document is the SHA-256 over the sources actually
used (the kind's template, then the layout).
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template import Context, Engine
from django.utils import translation

BUILT_IN = Path(__file__).resolve().parent / "templates"
LAYOUT = "letters/documents/base.html"


@lru_cache(maxsize=4)
def _engine(override: str) -> Engine:
    dirs = [override] if override else []
    return Engine(
        dirs=[*dirs, str(BUILT_IN)],
        libraries={"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n"},
        autoescape=True,
        string_if_invalid="",
    )


def engine() -> Engine:
    return _engine(str(settings.RODTRAD_LETTER_TEMPLATES_DIR or ""))


def template_name(kind: str) -> str:
    return f"letters/documents/{kind}.html"


def template_sha256(kind: str) -> str:
    digest = hashlib.sha256()
    for name in (template_name(kind), LAYOUT):
        _template, origin = engine().find_template(name)
        digest.update(Path(origin.name).read_bytes())
    return digest.hexdigest()


def font_face() -> dict[str, str]:
    """The embedded font: DejaVu Sans from the system's fonts, or the municipality's."""
    folder = Path(settings.RODTRAD_LETTER_FONT_DIR)
    return {
        "family": settings.RODTRAD_LETTER_FONT_FAMILY,
        "regular": (folder / settings.RODTRAD_LETTER_FONT_REGULAR).as_uri(),
        "bold": (folder / settings.RODTRAD_LETTER_FONT_BOLD).as_uri(),
    }


def render_html(kind: str, context: dict[str, Any]) -> str:
    """The document as HTML, in Swedish whatever the reader's language."""
    with translation.override("sv"):
        template = engine().get_template(template_name(kind))
        return template.render(Context({**context, "font": font_face(), "kind": kind}))


def _font_fetcher() -> Any:
    """WeasyPrint may read the font files and nothing else: no network, no other file."""
    from weasyprint.urls import URLFetcher

    folder = Path(settings.RODTRAD_LETTER_FONT_DIR).resolve()

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve()
            if parsed.scheme != "file" or folder not in path.parents:
                raise ValueError("only the letter fonts may be loaded")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def _weasyprint() -> Any:
    """WeasyPrint, imported when the first document is produced (pango and fonts are heavy).

    Its loader tries six names per library (one per platform), and cffi asks
    `ctypes.util.find_library` about each name that does not load; on Linux that runs
    `ldconfig -p` and then gcc and ld: about ninety processes and over a second at import.
    While it imports, find_library only asks `ldconfig -p`, the first thing it consults
    anyway (the compiler fallbacks find nothing the linker cache lacks)."""
    import ctypes.util

    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if "weasyprint" in sys.modules or from_cache is None:
        import weasyprint

        return weasyprint
    original = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def render_pdf(html: str) -> bytes:
    """PDF/A-2b, tagged (headings and reading order for screen readers), fonts embedded."""
    weasyprint = _weasyprint()
    pdf = weasyprint.HTML(string=html, url_fetcher=_font_fetcher()).write_pdf(
        pdf_variant="pdf/a-2b", pdf_tags=True
    )
    assert pdf is not None
    return bytes(pdf)
