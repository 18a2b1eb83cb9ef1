"""The folded form of a name that name search compares with (`Person.name_key`).

A search for "Asa" must find "Åsa" and "Ostberg" must find "Östberg", on SQLite and
PostgreSQL alike, without a Python function per row (the regex it replaces cost ~250 ms at
city scale, docs/performance.md). So every name is stored once more, folded: Unicode
compatibility-decomposed, combining marks dropped (å → a, ö → o, é → e), case-folded, and
every run of anything but letters and digits turned into one space. The query is folded the
same way and compared with plain `LIKE` on an indexed column: no extension (pg_trgm) and no
virtual table (FTS5), so one migration and one query work on both databases.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"})
_SEPARATORS = re.compile(r"[^\w]+|_+")


def fold(text: str) -> str:
    """`text` without case, diacritics or punctuation: "Anna-Karin Östberg" → "anna karin
    ostberg"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_SEPARATORS.sub(" ", bare.translate(_EXTRA_FOLDS)).split())


def search_key(given_name: str, family_name: str) -> str:
    """The stored key of a person's name: both names folded, with a space before each word
    (so a search can also ask for a word's start: " ost")."""
    words = fold(f"{given_name} {family_name}")
    return f" {words}" if words else ""


def query_words(query: str) -> list[str]:
    """The folded words of a search text; each must occur in a matching key."""
    return fold(query).split()
