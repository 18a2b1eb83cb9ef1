"""Agreement between reviewers on one checklist item (pure; docs/internal-control.md has the
formulas and the references).

* Two reviewers: Cohen's kappa (1960); for ordinal items the linearly weighted kappa (Cohen
  1968, weights 1 − |i − j| / (k − 1)). The 95 % interval is kappa ± 1.96 · SE with the
  large-sample standard error of Fleiss, Cohen & Everitt (1969), the variance under the
  alternative (not under kappa = 0), as statsmodels' `cohens_kappa` computes it; the tests
  check both against statsmodels on the same answers. The bounds are clipped to [-1, 1].
* More than two: Fleiss' kappa (1971). Its interval comes from a percentile bootstrap over the
  cases (2 000 resamples, a fixed seed, so the same answers always give the same interval):
  the closed-form standard error of Fleiss, Nee & Landis (1979) holds only under kappa = 0.

A kappa that cannot be computed (no case rated by enough reviewers, or every answer the same
so that chance agreement is 1) is None, with the reason.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

Z_95: Final = 1.959963984540054
BOOTSTRAP_RESAMPLES: Final = 2000
BOOTSTRAP_SEED: Final = 20_261_203


def gettext_noop(message: str) -> str:
    return message


COHEN: Final = "cohen"
WEIGHTED: Final = "weighted"
FLEISS: Final = "fleiss"

METHOD_NAMES: Final = {
    COHEN: gettext_noop("Cohens kappa"),
    WEIGHTED: gettext_noop("Viktad kappa (linjär)"),
    FLEISS: gettext_noop("Fleiss kappa"),
}

NO_PAIRS: Final = gettext_noop("För få ärenden har granskats av flera.")
NO_VARIATION: Final = gettext_noop("Alla svar är lika, så kappa kan inte räknas.")


@dataclass(frozen=True)
class Kappa:
    method: str
    n: int  # cases
    raters: int
    kappa: float | None
    low: float | None = None
    high: float | None = None
    observed: float | None = None  # the share of agreement (weighted: of weighted agreement)
    undefined: str = ""

    @property
    def method_name(self) -> str:
        return METHOD_NAMES[self.method]


def _table(pairs: Sequence[tuple[str, str]], categories: Sequence[str]) -> list[list[float]]:
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    table = [[0.0] * k for _ in range(k)]
    for a, b in pairs:
        table[index[a]][index[b]] += 1
    return table


def cohen(
    pairs: Sequence[tuple[str, str]], categories: Sequence[str], *, weighted: bool = False
) -> Kappa:
    """Cohen's kappa (weighted: linear weights, categories in scale order) with its 95 % CI."""
    method = WEIGHTED if weighted else COHEN
    n = len(pairs)
    k = len(categories)
    if n == 0:
        return Kappa(method, 0, 2, None, undefined=NO_PAIRS)
    table = _table(pairs, categories)
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(row) for row in p]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    if weighted and k > 1:
        w = [[1 - abs(i - j) / (k - 1) for j in range(k)] for i in range(k)]
    else:
        w = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    p_o = sum(w[i][j] * p[i][j] for i in range(k) for j in range(k))
    p_e = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if math.isclose(p_e, 1.0):
        return Kappa(method, n, 2, None, observed=p_o, undefined=NO_VARIATION)
    kappa = (p_o - p_e) / (1 - p_e)
    # Fleiss, Cohen & Everitt (1969): w̄ᵢ. = Σⱼ p.ⱼ wᵢⱼ, w̄.ⱼ = Σᵢ pᵢ. wᵢⱼ.
    w_row = [sum(cols[j] * w[i][j] for j in range(k)) for i in range(k)]
    w_col = [sum(rows[i] * w[i][j] for i in range(k)) for j in range(k)]
    total = sum(
        p[i][j] * (w[i][j] - (w_row[i] + w_col[j]) * (1 - kappa)) ** 2
        for i in range(k)
        for j in range(k)
    )
    variance = (total - (kappa - p_e * (1 - kappa)) ** 2) / ((1 - p_e) ** 2 * n)
    se = math.sqrt(max(variance, 0.0))
    # Kappa lies in [-1, 1]; the Wald interval of a few cases reaches past it (0.50 on four
    # cases gave -0.23 to 1.23), so the bounds are clipped there. statsmodels does not clip.
    low = max(kappa - Z_95 * se, -1.0)
    high = min(kappa + Z_95 * se, 1.0)
    return Kappa(method, n, 2, kappa, low=low, high=high, observed=p_o)


def _fleiss_value(counts: Sequence[Sequence[int]], raters: int) -> float | None:
    n = len(counts)
    k = len(counts[0])
    totals = [sum(row[j] for row in counts) for j in range(k)]
    p_j = [t / (n * raters) for t in totals]
    p_e = sum(x * x for x in p_j)
    if math.isclose(p_e, 1.0):
        return None
    p_i = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    p_bar = sum(p_i) / n
    return (p_bar - p_e) / (1 - p_e)


def fleiss(ratings: Sequence[Sequence[str]], categories: Sequence[str]) -> Kappa:
    """Fleiss' kappa for cases each rated by the same number (≥ 2) of reviewers."""
    if not ratings:
        return Kappa(FLEISS, 0, 0, None, undefined=NO_PAIRS)
    raters = len(ratings[0])
    if raters < 2 or any(len(r) != raters for r in ratings):
        raise ValueError("every case needs the same number of ratings, at least two")
    index = {c: i for i, c in enumerate(categories)}
    counts = []
    for case in ratings:
        row = [0] * len(categories)
        for answer in case:
            row[index[answer]] += 1
        counts.append(row)
    kappa = _fleiss_value(counts, raters)
    observed = sum(
        (sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts
    ) / len(counts)
    if kappa is None:
        return Kappa(FLEISS, len(counts), raters, None, observed=observed, undefined=NO_VARIATION)
    rng = random.Random(BOOTSTRAP_SEED)
    values = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        resample = [counts[rng.randrange(len(counts))] for _ in counts]
        value = _fleiss_value(resample, raters)
        if value is not None:
            values.append(value)
    values.sort()
    low = high = None
    if values:
        low = values[int(0.025 * (len(values) - 1))]
        high = values[int(math.ceil(0.975 * (len(values) - 1)))]
    return Kappa(FLEISS, len(counts), raters, kappa, low=low, high=high, observed=observed)
