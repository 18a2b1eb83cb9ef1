"""The sample: stratified, without replacement, reproducible from the seed (pure)."""

from __future__ import annotations

import pytest

from rodtrad.audits import sampling

POPULATION = {"bromma": list(range(1, 60)), "farsta": list(range(100, 112)), "kista": [500]}


def test_each_stratum_gives_its_share_or_all_it_has():
    drawn = sampling.draw(POPULATION, 20, seed=42)
    assert [len(drawn[s]) for s in ("bromma", "farsta", "kista")] == [20, 12, 1]
    for stratum, ids in drawn.items():
        assert len(set(ids)) == len(ids)  # without replacement
        assert set(ids) <= set(POPULATION[stratum])


def test_the_same_seed_draws_the_same_sample_whatever_order_the_cases_came_in():
    shuffled = {s: list(reversed(ids)) for s, ids in reversed(list(POPULATION.items()))}
    assert sampling.draw(POPULATION, 20, seed=42) == sampling.draw(shuffled, 20, seed=42)
    assert sampling.population_hash(POPULATION) == sampling.population_hash(shuffled)


def test_the_draw_is_random_sample_of_random_random_with_the_seed():
    """The documented recipe (docs/internal-control.md): anyone can repeat it in Python."""
    import random

    rng = random.Random(7)
    expected = {
        s: rng.sample(sorted(POPULATION[s]), min(5, len(POPULATION[s]))) for s in sorted(POPULATION)
    }
    assert sampling.draw(POPULATION, 5, seed=7) == expected


def test_another_seed_draws_another_sample():
    assert (
        sampling.draw(POPULATION, 20, seed=1)["bromma"]
        != sampling.draw(POPULATION, 20, seed=2)["bromma"]
    )


def test_a_sample_needs_a_case_per_stratum():
    with pytest.raises(ValueError):
        sampling.draw(POPULATION, 0, seed=1)
