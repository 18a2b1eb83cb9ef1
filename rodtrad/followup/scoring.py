"""Follow-up scoring: GAS T-scores, rating-scale totals, change classes and the early warning.

Pure functions on plain values: no ORM, no Django settings, no clock, so the follow-up models
call them and the tests need no database. Every formula, worked example and boundary is in
docs/followup-instruments.md; the facts behind them are in docs/domain.md §3.

Numbers, one rule:

- What a person enters, and anything compared with a configured threshold, is a `Decimal`:
  item scores (0–10 with one decimal), totals, the change Δ, cut-offs and reliable-change
  values. In floating point 8.2 − 3.2 is 4.999999999999999, so a change of exactly the
  reliable-change value would be missed; in `Decimal` it is exactly 5.0.
- What is derived for display or aggregation is a `float`, never rounded here: the GAS
  T-score (a square root is irrational anyway) and the satisfaction mean. Round only when
  showing it, with `for_display` (half up, one decimal by default).

Bad input from a person (a level of +3, an item score of 10.5) raises an `InvalidScores`
subclass that carries one `Problem` per field, in Swedish, for the form to show next to the
field. A wrong configuration or call (ρ outside 0–1, overlapping age bands) is a programming
error and raises a plain `ValueError`.

ORS/SRS item wording is licensed (docs/domain.md §3.1): nothing here names an item. An
instrument is a list of item codes; the municipality enters the wording.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final, Generic, TypeVar


def gettext_noop(message: str) -> str:
    """Mark a Swedish msgid for `makemessages` without importing Django.

    scoring.py stays free of Django settings, so it cannot call `gettext`; callers translate
    with `gettext(problem.message) % problem.params` (or `str(problem)` for the Swedish text).
    """
    return message


# --- Problems with what a person entered ----------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one entered value: a Swedish msgid and its parameters."""

    message: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


K = TypeVar("K")


class InvalidScores(ValueError, Generic[K]):
    """Entered values that cannot be scored; `problems` says, per field, what is wrong."""

    def __init__(self, problems: Mapping[K, Problem]) -> None:
        self.problems: Mapping[K, Problem] = MappingProxyType(dict(problems))
        super().__init__("; ".join(f"{key}: {problem}" for key, problem in problems.items()))


class InvalidGoalRatings(InvalidScores[int | None]):
    """GAS ratings that cannot be scored. Keys: the rating's position, or None for the list."""


class InvalidItemScores(InvalidScores[str]):
    """Item scores that cannot be totalled. Keys: the item's code."""


class InvalidAnswers(InvalidScores[int]):
    """Questionnaire answers outside the scale. Keys: the answer's position."""


def for_display(value: float | Decimal, decimals: int = 1) -> Decimal:
    """`value` rounded half up to `decimals` places, for showing (62.4034… → 62.4).

    A float is read through its shortest repr, so 62.45 rounds to 62.5 as it reads, not as
    the binary number just below it would.
    """
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --- Goal Attainment Scaling (docs/domain.md §3.2) ------------------------------------------

GAS_LEVELS: Final = range(-2, 3)
"""−2 much less than expected, −1 somewhat less, 0 expected, +1 somewhat more, +2 much more."""

GAS_RHO: Final = 0.3
"""The conventional correlation between goals (Kiresuk & Sherman 1968)."""

NO_GOALS: Final = gettext_noop("Minst ett mål behövs för att räkna ut ett T-värde.")
LEVEL_OUT_OF_RANGE: Final = gettext_noop("Nivån måste vara ett heltal från −2 till +2.")
WEIGHT_NOT_POSITIVE: Final = gettext_noop("Vikten måste vara ett tal större än 0.")


def _checked_ratings(ratings: Sequence[tuple[int, float]]) -> None:
    """Raise `InvalidGoalRatings` unless there is a rating and each has a valid level and weight."""
    if not ratings:
        raise InvalidGoalRatings({None: Problem(NO_GOALS)})
    problems: dict[int | None, Problem] = {}
    for position, (level, weight) in enumerate(ratings):
        if isinstance(level, bool) or not isinstance(level, int) or level not in GAS_LEVELS:
            problems[position] = Problem(LEVEL_OUT_OF_RANGE)
        elif not (math.isfinite(weight) and weight > 0):
            problems[position] = Problem(WEIGHT_NOT_POSITIVE)
    if problems:
        raise InvalidGoalRatings(problems)


def _checked_rho(rho: float) -> None:
    if not (math.isfinite(rho) and 0 <= rho <= 1):
        raise ValueError(f"rho must be between 0 and 1, not {rho!r}")


def gas_t_score(ratings: Sequence[tuple[int, float]], rho: float = GAS_RHO) -> float:
    """The GAS T-score of a person's goals, each rated as (level −2…+2, weight > 0).

    T = 50 + 10 · Σ(wᵢ·xᵢ) / sqrt((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²)   (Kiresuk & Sherman 1968)

    All goals at the expected level give 50; with ρ = 0.3 and outcomes as expected, T has mean
    50 and standard deviation 10. Unweighted goals have weight 1. The result is not rounded:
    show it with `for_display`. Two goals at +1, unweighted: 50 + 20 / sqrt(2.6) = 62.40….
    Weights stored as `Decimal` are passed as `float(weight)`.
    """
    _checked_ratings(ratings)
    _checked_rho(rho)
    weighted_sum = math.fsum(weight * level for level, weight in ratings)
    sum_of_squares = math.fsum(weight * weight for _level, weight in ratings)
    weight_sum = math.fsum(weight for _level, weight in ratings)
    spread = math.sqrt((1 - rho) * sum_of_squares + rho * weight_sum * weight_sum)
    return 50 + 10 * weighted_sum / spread


def gas_t_score_unweighted(levels: Sequence[int], rho: float = GAS_RHO) -> float:
    """The GAS T-score of n equally weighted goals: 50 + 10 · Σxᵢ / sqrt((1 − ρ)·n + ρ·n²).

    The closed form of `gas_t_score` with every weight 1 (docs/domain.md §3.2 gives it with
    ρ = 0.3: sqrt(0.7·n + 0.3·n²)).
    """
    _checked_ratings([(level, 1.0) for level in levels])
    _checked_rho(rho)
    n = len(levels)
    return 50 + 10 * sum(levels) / math.sqrt((1 - rho) * n + rho * n * n)


# --- Multi-item rating-scale instruments (the ORS/SRS kind, docs/domain.md §3.1) -----------


@dataclass(frozen=True)
class ScaleBand:
    """The cut-off and reliable change of an instrument for one age band (ages inclusive).

    `clinical_cutoff`: a total below it is in the clinical range (ORS: 25 for adults, 28 for
    13–17, 32 for 6–12); at or above it is not. `reliable_change`: the smallest change of the
    total that counts as real rather than measurement noise (ORS: 5 for adults, 6 in youth
    materials). `max_age` None: no upper limit.
    """

    min_age: int
    max_age: int | None
    clinical_cutoff: Decimal
    reliable_change: Decimal

    def __post_init__(self) -> None:
        if self.min_age < 0 or (self.max_age is not None and self.max_age < self.min_age):
            raise ValueError(f"age band {self.min_age}–{self.max_age} is empty")
        if self.reliable_change <= 0:
            raise ValueError("reliable_change must be greater than 0")

    def covers(self, age: int) -> bool:
        """Whether a person of `age` full years falls in this band."""
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


@dataclass(frozen=True)
class InstrumentSpec:
    """A multi-item rating-scale instrument: item codes, the item scale, and its age bands.

    `items` are codes, not wording (the wording of ORS/SRS is licensed and entered by the
    municipality). Each item is scored `min_item`–`max_item` with at most `decimals` decimals;
    the total is the sum of the items. `bands` must not overlap.

    A higher total is better, as for the ORS/SRS kind: the classification and the early warning
    count a rise as improvement. An instrument where a higher total is worse does not fit yet.
    """

    code: str
    items: tuple[str, ...]
    min_item: int = 0
    max_item: int = 10
    decimals: int = 1
    bands: tuple[ScaleBand, ...] = ()

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"instrument {self.code!r} has no items")
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"instrument {self.code!r} has an item code twice")
        if self.max_item <= self.min_item:
            raise ValueError(f"instrument {self.code!r}: max_item must exceed min_item")
        if self.decimals < 0:
            raise ValueError(f"instrument {self.code!r}: decimals must be 0 or more")
        ordered = sorted(self.bands, key=lambda band: band.min_age)
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_age is None or lower.max_age >= upper.min_age:
                raise ValueError(f"instrument {self.code!r}: age bands overlap")
        for band in self.bands:
            if not self.min_total <= band.clinical_cutoff <= self.max_total:
                raise ValueError(f"instrument {self.code!r}: cut-off outside the total's range")

    @property
    def min_total(self) -> Decimal:
        return Decimal(self.min_item * len(self.items))

    @property
    def max_total(self) -> Decimal:
        return Decimal(self.max_item * len(self.items))

    @property
    def step(self) -> Decimal:
        """The smallest difference between two scores: 0.1 for one decimal."""
        return Decimal(1).scaleb(-self.decimals)


ItemScore = Decimal | int | float

MISSING_ITEM: Final = gettext_noop("Ange ett värde.")
NOT_A_NUMBER: Final = gettext_noop("Ange ett tal.")
ITEM_OUT_OF_RANGE: Final = gettext_noop("Värdet måste vara mellan %(min)s och %(max)s.")
TOO_MANY_DECIMALS_NONE: Final = gettext_noop("Ange ett heltal.")
TOO_MANY_DECIMALS_ONE: Final = gettext_noop("Ange högst en decimal.")
TOO_MANY_DECIMALS: Final = gettext_noop("Ange högst %(decimals)s decimaler.")
UNKNOWN_ITEM: Final = gettext_noop("Frågan finns inte i formuläret.")


def _as_decimal(value: ItemScore) -> Decimal:
    """An entered number as a Decimal; a float through its shortest repr (6.5 → 6.5)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _decimals_problem(decimals: int) -> Problem:
    if decimals == 0:
        return Problem(TOO_MANY_DECIMALS_NONE)
    if decimals == 1:
        return Problem(TOO_MANY_DECIMALS_ONE)
    return Problem(TOO_MANY_DECIMALS, {"decimals": decimals})


def _item_problem(spec: InstrumentSpec, value: ItemScore | None) -> Problem | None:
    if value is None:
        return Problem(MISSING_ITEM)
    if isinstance(value, bool):
        return Problem(NOT_A_NUMBER)
    number = _as_decimal(value)
    if not number.is_finite():
        return Problem(NOT_A_NUMBER)
    if not spec.min_item <= number <= spec.max_item:
        return Problem(ITEM_OUT_OF_RANGE, {"min": spec.min_item, "max": spec.max_item})
    if number.quantize(spec.step) != number:
        return _decimals_problem(spec.decimals)
    return None


def total(spec: InstrumentSpec, item_scores: Mapping[str, ItemScore | None]) -> Decimal:
    """The instrument's total: the sum of its item scores, keyed by item code.

    Every item of `spec` must have a score (None = not answered) in `min_item`–`max_item` with
    at most `decimals` decimals, and no other code may appear; otherwise `InvalidItemScores`
    names every item that is wrong, not only the first. The total has `spec.decimals` decimals
    (6.5 + 7 + 8 + 9.0 = 30.5).
    """
    problems: dict[str, Problem] = {}
    entered: list[Decimal] = []
    for code in spec.items:
        value = item_scores.get(code)
        problem = _item_problem(spec, value)
        if problem is not None:
            problems[code] = problem
        elif value is not None:
            entered.append(_as_decimal(value))
    for code in item_scores:
        if code not in spec.items:
            problems[code] = Problem(UNKNOWN_ITEM)
    if problems:
        raise InvalidItemScores(problems)
    return sum(entered, Decimal(0)).quantize(spec.step)


def band_for_age(spec: InstrumentSpec, age: int) -> ScaleBand | None:
    """The band of `spec` that covers a person of `age` full years, or None when none does.

    None means the instrument has no cut-off for that age (a four-item scale for a child of 4:
    the ≤ 5 versions are pictorial and give no total), so the series cannot be classified.
    """
    return next((band for band in spec.bands if band.covers(age)), None)


EXAMPLE_INSTRUMENT: Final = InstrumentSpec(
    code="example-four-item",
    items=("item_1", "item_2", "item_3", "item_4"),
    bands=(
        ScaleBand(min_age=6, max_age=12, clinical_cutoff=Decimal(32), reliable_change=Decimal(6)),
        ScaleBand(min_age=13, max_age=17, clinical_cutoff=Decimal(28), reliable_change=Decimal(6)),
        ScaleBand(
            min_age=18, max_age=None, clinical_cutoff=Decimal(25), reliable_change=Decimal(5)
        ),
    ),
)
"""The open example: four neutral items scored 0–10, no wording, and the published cut-offs and
reliable-change values of the ORS family as sample bands (docs/followup-instruments.md,
"Licence"). A municipality with a licence enters its own instrument, wording and values."""


# --- Change over a series (Jacobson & Truax 1991) -----------------------------------------


class Classification(enum.StrEnum):
    """How a series of totals changed from the first (baseline) to the last measurement."""

    RECOVERED = "recovered"
    RELIABLY_IMPROVED = "reliably_improved"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    DETERIORATED = "deteriorated"

    @property
    def label(self) -> str:
        """The Swedish msgid of the class's name (translate with `gettext`)."""
        return _LABELS[self]

    @property
    def description(self) -> str:
        """The Swedish msgid of one sentence saying what the class means."""
        return _DESCRIPTIONS[self]


_LABELS: Final = MappingProxyType(
    {
        Classification.RECOVERED: gettext_noop("Återhämtad"),
        Classification.RELIABLY_IMPROVED: gettext_noop("Tydligt förbättrad"),
        Classification.NO_RELIABLE_CHANGE: gettext_noop("Ingen tydlig förändring"),
        Classification.DETERIORATED: gettext_noop("Tydligt försämrad"),
    }
)
_DESCRIPTIONS: Final = MappingProxyType(
    {
        Classification.RECOVERED: gettext_noop(
            "Summan har ökat så mycket att det är en verklig förbättring, och den har gått från "
            "under gränsvärdet vid första mätningen till gränsvärdet eller över vid den sista."
        ),
        Classification.RELIABLY_IMPROVED: gettext_noop(
            "Summan har ökat så mycket att det är en verklig förbättring och inte bara "
            "mätosäkerhet, men den har inte gått från under gränsvärdet till gränsvärdet eller "
            "över."
        ),
        Classification.NO_RELIABLE_CHANGE: gettext_noop(
            "Summan har inte ändrats mer än vad mätosäkerheten kan förklara, varken uppåt eller "
            "nedåt."
        ),
        Classification.DETERIORATED: gettext_noop(
            "Summan har minskat så mycket att det är en verklig försämring och inte bara "
            "mätosäkerhet."
        ),
    }
)


@dataclass(frozen=True)
class Change:
    """The change from the first to the last total of a series, and its class.

    `started_above_cutoff`: the first total was already at or above the cut-off (outside the
    clinical range), so the series can be reliably improved but never recovered; statistics
    report these series separately (docs/domain.md §3.1, common for mandated clients).
    """

    first: Decimal
    last: Decimal
    change: Decimal
    classification: Classification
    started_above_cutoff: bool


def classify_change(
    first: Decimal, last: Decimal, *, reliable_change: Decimal, clinical_cutoff: Decimal
) -> Change:
    """Classify the change from `first` (the baseline) to `last` (Jacobson & Truax 1991).

    With Δ = last − first and RCI = `reliable_change`, boundaries included:

    - recovered: Δ ≥ RCI, first < cut-off and last ≥ cut-off;
    - reliably improved: Δ ≥ RCI, otherwise;
    - deteriorated: Δ ≤ −RCI;
    - no reliable change: −RCI < Δ < RCI.

    A change of exactly RCI counts (ORS: "5 points or more", Miller et al. 2003), and reaching
    the cut-off exactly counts as leaving the clinical range ("below 25" is clinical).
    """
    if reliable_change <= 0:
        raise ValueError("reliable_change must be greater than 0")
    delta = last - first
    started_above = first >= clinical_cutoff
    if delta >= reliable_change:
        crossed = not started_above and last >= clinical_cutoff
        kind = Classification.RECOVERED if crossed else Classification.RELIABLY_IMPROVED
    elif delta <= -reliable_change:
        kind = Classification.DETERIORATED
    else:
        kind = Classification.NO_RELIABLE_CHANGE
    return Change(
        first=first,
        last=last,
        change=delta,
        classification=kind,
        started_above_cutoff=started_above,
    )


def classify_series(totals: Sequence[Decimal], band: ScaleBand) -> Change:
    """Classify a series of totals, oldest first, by its first and last with `band`'s values.

    The series needs two totals at least; the ones in between do not change the class.
    """
    if len(totals) < 2:
        raise ValueError("a series needs at least two totals to be classified")
    return classify_change(
        totals[0],
        totals[-1],
        reliable_change=band.reliable_change,
        clinical_cutoff=band.clinical_cutoff,
    )


EARLY_WARNING_SESSION: Final = 4
"""By this session a series with no reliable improvement is raised (docs/domain.md §3.1: 3–4)."""


def needs_attention(
    series_totals: Sequence[Decimal], rci: Decimal, by_session: int = EARLY_WARNING_SESSION
) -> bool:
    """Whether to raise a series with the client: session `by_session` reached, no improvement.

    True when the series has `by_session` totals or more (session 1 is the baseline) and no
    total from session 2 on is at least `rci` above the baseline. A series that once improved
    reliably is not raised again here even if it later falls back; its classification
    (`classify_series`) shows that. Before session `by_session` it is always False.
    """
    if by_session < 2:
        raise ValueError("by_session must be 2 or more (session 1 is the baseline)")
    if rci <= 0:
        raise ValueError("rci must be greater than 0")
    if len(series_totals) < by_session:
        return False
    baseline = series_totals[0]
    return not any(value - baseline >= rci for value in series_totals[1:])


# --- Satisfaction questionnaires -------------------------------------------------------------

ANSWER_OUT_OF_RANGE: Final = gettext_noop("Svaret måste vara ett heltal från %(min)s till %(max)s.")


def satisfaction_mean(
    answers: Sequence[int | None], *, min_value: int = 1, max_value: int = 5
) -> float | None:
    """The mean of a questionnaire's answered items (1–5 by default); None = not answered.

    Unanswered items are left out of the mean. When fewer than half of the items were answered
    the mean says too little and None is returned (half exactly is enough: 2 of 4). Not
    rounded: show it with `for_display`. An answer outside the scale raises `InvalidAnswers`.
    """
    problems: dict[int, Problem] = {}
    for position, answer in enumerate(answers):
        if answer is None:
            continue
        is_whole = isinstance(answer, int) and not isinstance(answer, bool)
        if not (is_whole and min_value <= answer <= max_value):
            problems[position] = Problem(ANSWER_OUT_OF_RANGE, {"min": min_value, "max": max_value})
    if problems:
        raise InvalidAnswers(problems)
    answered = [answer for answer in answers if answer is not None]
    if not answered or 2 * len(answered) < len(answers):
        return None
    return sum(answered) / len(answered)
