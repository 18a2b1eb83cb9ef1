"""The folded forms of a name that name search compares with.

A search for "Asa" must find "Åsa" and "Ostberg" must find "Östberg", on SQLite and
PostgreSQL alike, without a Python function per row (the regex it replaced cost ~250 ms at
city scale, docs/performance.md). So every name is stored once more, folded: Unicode
compatibility-decomposed, combining marks dropped (å → a, ö → o, é → e), case-folded, and
every run of anything but letters and digits turned into one space. It is stored twice:
`Person.name_key` (the whole name, a space before each word) and one `PersonNameWord` row per
word of the name.

A search word matches when it begins a word of the name: "ost" and "östberg" find "Åsa
Östberg", "berg" does not (a word's start, as staff type a name; docs/performance.md). The
search seeks its longest word in the (district, word) index of PersonNameWord, a range of
that index rather than a scan, and checks every word against `name_key` on the few persons
found: no extension (pg_trgm) and no virtual table (FTS5), so the same migration and query
work on both databases.
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


def name_words(given_name: str, family_name: str) -> list[str]:
    """The distinct folded words of a name, one row each in PersonNameWord: the table that
    name search seeks a word's start in ("ost" → "ostberg")."""
    return sorted(set(fold(f"{given_name} {family_name}").split()))


def query_words(query: str) -> list[str]:
    """The folded words of a search text; each must begin a word of a matching name."""
    return fold(query).split()


def word_start(word: str) -> str:
    """What `Person.name_key` contains when a word of the name begins with `word`."""
    return f" {word}"


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """The range [low, high) of the strings that begin with `prefix`, in code point order
    (SQLite's BINARY collation): "ber" → ("ber", "bes")."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
