"""The programme's sample: stratified, without replacement, reproducible (pure; no ORM).

`draw(population, per_stratum, seed)` takes the population as {stratum: [case ids]} and gives
{stratum: [case ids in draw order]}. The strata are taken in sorted order, each stratum's ids
sorted ascending, and one `random.Random(seed)` draws `min(per_stratum, size)` ids from each
with `sample` (without replacement). The same population and seed give the same sample on every
run and every Python since 3.2 (random.Random's seeding of ints and `sample` are stable), so a
stored seed and the stored population hash let anyone repeat the draw (docs/internal-control.md).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterable, Mapping

SEED_LIMIT = 2**31
"""Seeds are drawn below this: short enough to read out and to type."""


def new_seed() -> int:
    """A fresh seed for a new programme (shown on its page)."""
    return secrets.randbelow(SEED_LIMIT)


def draw(
    population: Mapping[str, Iterable[int]], per_stratum: int, seed: int
) -> dict[str, list[int]]:
    """`per_stratum` ids (or all, when fewer) from each stratum, in draw order."""
    if per_stratum < 1:
        raise ValueError("a sample needs at least one case per stratum")
    rng = random.Random(seed)
    sample: dict[str, list[int]] = {}
    for stratum in sorted(population):
        ids = sorted(set(population[stratum]))
        sample[stratum] = rng.sample(ids, min(per_stratum, len(ids)))
    return sample


def population_hash(population: Mapping[str, Iterable[int]]) -> str:
    """SHA-256 of the population, strata and ids sorted: shows that a repeat draw started from
    the same cases."""
    text = ";".join(
        f"{stratum}:" + ",".join(str(i) for i in sorted(set(population[stratum])))
        for stratum in sorted(population)
    )
    return hashlib.sha256(text.encode()).hexdigest()
