"""The secrecy check of a document before it leaves the system (docs/letters.md, "Secrecy").

Pure: it works on the document's content context (what `letters.content` gathers for the
template), never on rendered text. Every datum about a person other than the recipient that
may be secret is put in the context as a `Sensitive` value: a protected person's address or
whereabouts (any protection level), the name of a person with fingerade personuppgifter, the
reporter's identity when it is protected (OSL 26 kap. 5 §), a sibling's information (the
sibling is another child, whose data are theirs, wherever their own case is) and what a
sibling's own case says. A free text (`Passage`) that mentions a protected person's address
carries that address as a `Sensitive` part too.

`findings(context, recipient_key)` lists what the handler must decide, one finding per key;
`resolve(context, choices)` gives the context the template renders: a confirmed datum as its
value, a redacted one as the visible marker `REDACTED`. A `Sensitive` that reaches a template
unresolved prints the marker (fail safe), never the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

REDACTED = "[Borttaget – sekretess]"


class FindingKind(StrEnum):
    PROTECTED_ADDRESS = "protected_address"
    PROTECTED_IDENTITY = "protected_identity"
    REPORTER_IDENTITY = "reporter_identity"
    SIBLING_CASE = "sibling_case"
    OTHER_CHILD = "other_child"


class Choice(StrEnum):
    CONFIRM = "confirm"
    REDACT = "redact"


@dataclass(frozen=True)
class Sensitive:
    """One datum that may be secret from the recipient.

    `key` names the datum without holding it ("address:person:12"); `about` is the subject it
    is about in the recipient keys' form ("person:12", "reporter:5"); `label` says what it is
    without the datum ("Adressen till Anna Berg, vårdnadshavare (skyddad folkbokföring)");
    `person_id` is the protected person whose named handlers alone may confirm it, if any.
    """

    key: str
    kind: FindingKind
    value: str
    about: str
    label: str
    person_id: int | None = None

    def __str__(self) -> str:  # an unresolved datum never prints
        return REDACTED


@dataclass(frozen=True)
class Passage:
    """A free text, split where it mentions a sensitive datum."""

    parts: tuple[str | Sensitive, ...]

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


@dataclass(frozen=True)
class Finding:
    key: str
    kind: FindingKind
    label: str
    about: str
    person_id: int | None = None
    choice: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": str(self.kind),
            "label": self.label,
            "about": self.about,
            "person_id": self.person_id,
            "choice": self.choice,
        }


@dataclass(frozen=True)
class SecretWord:
    """A protected datum to look for in free text: a protected person's street address."""

    text: str
    sensitive: Sensitive


def passage(text: str, secrets: Iterable[SecretWord] = ()) -> Passage:
    """The text as a Passage, with every mention of a secret word (case-insensitive, at least
    four characters) carried as that word's Sensitive."""
    parts: list[str | Sensitive] = [text]
    for secret in secrets:
        needle = secret.text.strip()
        if len(needle) < 4:
            continue
        split: list[str | Sensitive] = []
        for part in parts:
            if isinstance(part, Sensitive):
                split.append(part)
                continue
            lower, low_needle, start = part.lower(), needle.lower(), 0
            while (found := lower.find(low_needle, start)) >= 0:
                split.append(part[start:found])
                split.append(
                    Sensitive(
                        key=secret.sensitive.key,
                        kind=secret.sensitive.kind,
                        value=part[found : found + len(needle)],
                        about=secret.sensitive.about,
                        label=secret.sensitive.label,
                        person_id=secret.sensitive.person_id,
                    )
                )
                start = found + len(needle)
            split.append(part[start:])
        parts = [p for p in split if p != ""]
    return Passage(tuple(parts))


def _walk(value: Any) -> Iterator[Sensitive]:
    if isinstance(value, Sensitive):
        yield value
    elif isinstance(value, Passage):
        for part in value.parts:
            yield from _walk(part)
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _walk(inner)


def findings(context: Mapping[str, Any], recipient_key: str) -> list[Finding]:
    """What the document says about others than the recipient that may be secret: one finding
    per key, in the order met. Data about the recipient themself are no finding."""
    seen: dict[str, Finding] = {}
    for item in _walk(context):
        if item.about == recipient_key or item.key in seen:
            continue
        seen[item.key] = Finding(
            key=item.key,
            kind=item.kind,
            label=item.label,
            about=item.about,
            person_id=item.person_id,
        )
    return list(seen.values())


def unanswered(found: Iterable[Finding], choices: Mapping[str, str]) -> list[Finding]:
    return [f for f in found if choices.get(f.key) not in set(Choice)]


def resolve(value: Any, choices: Mapping[str, str], recipient_key: str) -> Any:
    """The context with every Sensitive replaced: its value when it is about the recipient or
    confirmed, the marker otherwise (also when no choice was made: nothing unconfirmed
    prints). Passages become plain strings."""
    if isinstance(value, Sensitive):
        if value.about == recipient_key or choices.get(value.key) == Choice.CONFIRM:
            return value.value
        return REDACTED
    if isinstance(value, Passage):
        return "".join(resolve(part, choices, recipient_key) for part in value.parts)
    if isinstance(value, Mapping):
        return {k: resolve(v, choices, recipient_key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, choices, recipient_key) for v in value]
    return value


@dataclass
class Review:
    """The findings with the handler's choices, as stored on the document."""

    found: list[Finding] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> list[dict[str, Any]]:
        return [{**f.as_json(), "choice": self.choices.get(f.key, "")} for f in self.found]
