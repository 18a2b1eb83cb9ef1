"""Agreement between reviewers, checked against statsmodels on the same answers (issue 11,
point 3; docs/internal-control.md)."""

from __future__ import annotations

import random

import pytest
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from rodtrad.audits import agreement

YES_NO_NA = ["yes", "no", "na"]
LEVELS = ["higher", "some", "low", "missing"]


def _pairs(categories, n, agree, seed):
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        first = rng.choice(categories)
        second = first if rng.random() < agree else rng.choice(categories)
        pairs.append((first, second))
    return pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cohens_kappa_and_its_interval_are_statsmodels(seed):
    pairs = _pairs(YES_NO_NA, 40, 0.6, seed)
    ours = agreement.cohen(pairs, YES_NO_NA)
    theirs = cohens_kappa(agreement._table(pairs, YES_NO_NA))
    assert ours.method == agreement.COHEN
    assert ours.kappa == pytest.approx(theirs.kappa, abs=1e-12)
    assert ours.low == pytest.approx(theirs.kappa_low, abs=1e-9)
    assert ours.high == pytest.approx(theirs.kappa_upp, abs=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_linearly_weighted_kappa_and_its_interval_are_statsmodels(seed):
    pairs = _pairs(LEVELS, 30, 0.5, seed)
    ours = agreement.cohen(pairs, LEVELS, weighted=True)
    theirs = cohens_kappa(agreement._table(pairs, LEVELS), wt="linear")
    assert ours.method == agreement.WEIGHTED
    assert ours.kappa == pytest.approx(theirs.kappa, abs=1e-12)
    assert ours.low == pytest.approx(theirs.kappa_low, abs=1e-9)
    assert ours.high == pytest.approx(theirs.kappa_upp, abs=1e-9)


def test_a_near_miss_on_a_scale_counts_for_more_than_a_far_one():
    near = [("higher", "some")] * 5 + [(c, c) for c in LEVELS] * 5
    far = [("higher", "missing")] * 5 + [(c, c) for c in LEVELS] * 5
    assert (
        agreement.cohen(near, LEVELS, weighted=True).kappa
        > agreement.cohen(far, LEVELS, weighted=True).kappa
    )
    # Unweighted, both disagree as much.
    assert agreement.cohen(near, LEVELS).kappa == pytest.approx(agreement.cohen(far, LEVELS).kappa)


def test_fleiss_kappa_is_statsmodels_and_the_bootstrap_interval_holds_it():
    rng = random.Random(9)
    ratings = []
    for _ in range(30):
        truth = rng.choice(YES_NO_NA)
        ratings.append([truth if rng.random() < 0.7 else rng.choice(YES_NO_NA) for _ in range(3)])
    ours = agreement.fleiss(ratings, YES_NO_NA)
    index = {c: i for i, c in enumerate(YES_NO_NA)}
    table, _categories = aggregate_raters([[index[a] for a in case] for case in ratings], n_cat=3)
    assert ours.kappa == pytest.approx(fleiss_kappa(table, method="fleiss"), abs=1e-12)
    assert ours.raters == 3 and ours.n == 30
    assert ours.low < ours.kappa < ours.high
    # A fixed seed: the same answers give the same interval.
    assert agreement.fleiss(ratings, YES_NO_NA) == ours


def test_perfect_agreement_is_one_and_no_variation_is_undefined():
    assert agreement.cohen([("yes", "yes"), ("no", "no")], YES_NO_NA).kappa == pytest.approx(1)
    same = agreement.cohen([("yes", "yes")] * 4, YES_NO_NA)
    assert same.kappa is None and same.undefined == agreement.NO_VARIATION
    assert agreement.cohen([], YES_NO_NA).undefined == agreement.NO_PAIRS


def test_fleiss_needs_the_same_number_of_ratings_per_case():
    with pytest.raises(ValueError):
        agreement.fleiss([["yes", "no", "yes"], ["yes", "no"]], YES_NO_NA)


def test_the_interval_of_a_few_cases_stays_within_minus_one_and_one():
    # The demo's four cases with one disagreement: kappa 0.50, and κ ± 1.96 · SE runs from
    # -0.23 to 1.23 (statsmodels' bounds); a kappa above 1 does not exist.
    pairs = [("yes", "yes"), ("no", "no"), ("yes", "yes"), ("yes", "no")]
    ours = agreement.cohen(pairs, YES_NO_NA)
    theirs = cohens_kappa(agreement._table(pairs, YES_NO_NA))
    assert ours.kappa == pytest.approx(0.5)
    assert theirs.kappa_upp > 1
    assert ours.high == 1.0
    assert ours.low == pytest.approx(theirs.kappa_low, abs=1e-9)
