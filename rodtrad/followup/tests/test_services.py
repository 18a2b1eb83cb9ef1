"""Recording ratings and reading them as classified series (docs/followup-instruments.md),
with a real database: the checks, the journal entry, and the classification worked by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services as decision_services
from rodtrad.decisions.models import EndReason
from rodtrad.followup import queries, services
from rodtrad.followup.models import Measurement, RaterRole
from rodtrad.followup.scoring import Classification
from rodtrad.followup.tests.factories import example_instrument, satisfaction_instrument
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db
D = Decimal


def scores(a, b, c, d):
    return {"item_1": D(a), "item_2": D(b), "item_3": D(c), "item_4": D(d)}


def rate(intervention, by, day, items, role=RaterRole.CHILD, rater_id=None, instrument=None):
    return services.record_measurement(
        intervention,
        by=by,
        instrument=instrument or example_instrument(),
        rater_role=role,
        rater_id=rater_id,
        administered_on=day,
        item_scores=items,
    )


def test_a_rating_is_the_next_session_of_its_series_and_journals_numbers_only(
    ongoing, investigator, time_machine
):
    time_machine.move_to(TODAY + timedelta(days=20), tick=False)
    first = rate(ongoing, investigator, TODAY, scores("5", "6.5", "4", "4.5"))
    second = rate(ongoing, investigator, TODAY + timedelta(days=14), scores(6, 6, 6, 6.5))
    assert (first.session_number, first.total) == (1, D("20.0"))
    assert (second.session_number, second.total) == (2, D("24.5"))
    assert first.rater == ongoing.case.child and first.instrument_edition == "1"
    assert first.item_scores == {"item_1": "5", "item_2": "6.5", "item_3": "4", "item_4": "4.5"}
    entry = JournalEntry.objects.filter(action="followup.measurement_recorded").latest("seq")
    assert entry.case_id == ongoing.case_id and entry.person_id == ongoing.case.child_id
    assert entry.data == {
        "intervention_id": ongoing.pk,
        "instrument": "example-four-item",
        "instrument_edition": "1",
        "session_number": 2,
        "rater_role": "child",
        "administered_on": (TODAY + timedelta(days=14)).isoformat(),
        "total": "24.5",
        "satisfaction_mean": None,
    }
    assert "Fråga" not in str(entry.data)  # no wording, no item scores


def test_every_wrong_item_gets_its_own_swedish_message_and_nothing_is_saved(ongoing, investigator):
    with pytest.raises(ValidationError) as error:
        rate(
            ongoing,
            investigator,
            TODAY,
            {"item_1": D("10.5"), "item_2": None, "item_3": D("6.55"), "item_4": D(3)},
        )
    assert error.value.message_dict == {
        "score_item_1": ["Värdet måste vara mellan 0 och 10."],
        "score_item_2": ["Ange ett värde."],
        "score_item_3": ["Ange högst en decimal."],
    }
    assert not Measurement.objects.exists()
    assert not JournalEntry.objects.filter(action="followup.measurement_recorded").exists()


def test_the_day_is_not_in_the_future_nor_before_the_start(ongoing, investigator):
    for day, message in [
        (TODAY + timedelta(days=1), "Datumet kan inte vara senare än i dag."),
        (TODAY - timedelta(days=1), f"Datumet kan inte vara före insatsens start {TODAY}."),
    ]:
        with pytest.raises(ValidationError) as error:
            rate(ongoing, investigator, day, scores(5, 5, 5, 5))
        assert error.value.message_dict == {"administered_on": [message]}
    assert not Measurement.objects.exists()


def test_a_session_cannot_be_dated_before_the_previous_one(ongoing, investigator, time_machine):
    time_machine.move_to(TODAY + timedelta(days=30), tick=False)
    rate(ongoing, investigator, TODAY + timedelta(days=14), scores(5, 5, 5, 5))
    with pytest.raises(ValidationError) as error:
        rate(ongoing, investigator, TODAY + timedelta(days=7), scores(5, 5, 5, 5))
    assert "administered_on" in error.value.message_dict


def test_nothing_is_recorded_before_the_start_or_long_after_the_end(
    proposal, manager, investigator, time_machine
):
    from rodtrad.decisions.tests.conftest import grant

    time_machine.move_to(TODAY, tick=False)
    intervention = grant(proposal, manager).intervention
    with pytest.raises(ValidationError, match="inte påbörjats"):
        rate(intervention, investigator, TODAY, scores(5, 5, 5, 5))
    intervention = decision_services.start_intervention(
        intervention, by=investigator, expected_version=intervention.version, started_on=TODAY
    )
    time_machine.move_to(TODAY + timedelta(days=40), tick=False)
    intervention = decision_services.end_intervention(
        intervention,
        by=investigator,
        expected_version=intervention.version,
        ended_on=TODAY + timedelta(days=35),
        end_reason=EndReason.COMPLETED,
    )
    # Ended five days ago: the last sessions can still be entered (30 days by default).
    assert rate(intervention, investigator, TODAY + timedelta(days=35), scores(5, 5, 5, 5))
    with pytest.raises(ValidationError) as error:
        rate(intervention, investigator, TODAY + timedelta(days=36), scores(5, 5, 5, 5))
    assert "efter insatsens slut" in str(error.value)
    time_machine.move_to(TODAY + timedelta(days=66), tick=False)
    with pytest.raises(ValidationError, match="högst 30 dagar"):
        rate(intervention, investigator, TODAY + timedelta(days=20), scores(5, 5, 5, 5))


def test_only_the_case_roles_in_scope_record(ongoing, other_district_investigator, provider):
    for user in (other_district_investigator, provider):
        with pytest.raises(PermissionDenied):
            rate(ongoing, user, TODAY, scores(5, 5, 5, 5))
    assert not Measurement.objects.exists()


def test_a_guardian_rates_as_a_guardian_of_the_child_and_not_as_anyone_else(ongoing, investigator):
    child = ongoing.case.child
    guardian = RelationshipFactory(child=child, kind="guardian").other
    stranger = RelationshipFactory(child=child, kind="sibling", has_custody=False).other
    with pytest.raises(ValidationError) as error:
        rate(ongoing, investigator, TODAY, scores(5, 5, 5, 5), RaterRole.GUARDIAN, stranger.pk)
    assert error.value.message_dict == {"rater": ["Välj en av barnets vårdnadshavare den dagen."]}
    made = rate(ongoing, investigator, TODAY, scores(5, 5, 5, 5), RaterRole.GUARDIAN, guardian.pk)
    assert made.rater == guardian and made.session_number == 1
    # The guardian's series is their own: the child's first rating is also session 1.
    assert rate(ongoing, investigator, TODAY, scores(5, 5, 5, 5)).session_number == 1
    provider_rating = rate(ongoing, investigator, TODAY, scores(5, 5, 5, 5), RaterRole.PROVIDER)
    assert provider_rating.rater is None


def _series(intervention, investigator, time_machine, totals):
    time_machine.move_to(TODAY + timedelta(days=14 * len(totals)), tick=False)
    for session, value in enumerate(totals):
        share = (D(value) / 4).quantize(D("0.1"))
        rate(
            intervention,
            investigator,
            TODAY + timedelta(days=14 * session),
            scores(share, share, share, D(value) - 3 * share),
        )
    (series,) = queries.series_of(intervention)
    return series


def test_a_series_is_classified_with_the_band_for_the_childs_age_at_the_first_session(
    ongoing, investigator, time_machine
):
    # The child is 15 at the first session: band 13–17, cut-off 28, reliable change 6.
    # 20 → 22 → 24 → 26: Δ = 6 = RCI (counts), first < 28, last 26 < 28 → reliably improved.
    series = _series(ongoing, investigator, time_machine, ["20", "22", "24", "26"])
    assert (series.band.clinical_cutoff, series.band.reliable_change) == (D(28), D(6))
    assert series.totals == [D(20), D(22), D(24), D(26)]
    assert series.change.change == D(6)
    assert series.change.classification == Classification.RELIABLY_IMPROVED
    assert series.classification_label == "Tydligt förbättrad"
    # Session 4 reached with a reliable improvement (+6 at session 4): no warning.
    assert series.needs_attention is False


def test_reaching_the_cutoff_with_a_reliable_change_is_recovered(
    ongoing, investigator, time_machine
):
    # 22 → 28: Δ = 6 and lands exactly on the cut-off 28 → recovered.
    series = _series(ongoing, investigator, time_machine, ["22", "25", "28"])
    assert series.change.classification == Classification.RECOVERED
    assert series.change.started_above_cutoff is False


def test_no_reliable_improvement_by_session_four_raises_the_warning(
    ongoing, investigator, time_machine, settings
):
    # 20, 22, 25.6, 21: the best is +5.6 < 6 by session 4 → warning; no reliable change.
    series = _series(ongoing, investigator, time_machine, ["20", "22", "25.6", "21"])
    assert series.needs_attention is True
    assert series.change.classification == Classification.NO_RELIABLE_CHANGE
    settings.RODTRAD_FOLLOWUP_WARNING_SESSION = 5
    (later,) = queries.series_of(ongoing)
    assert later.needs_attention is False


def test_a_satisfaction_questionnaire_stores_its_mean(ongoing, investigator):
    instrument = satisfaction_instrument()
    made = rate(
        ongoing,
        investigator,
        TODAY,
        {"listened": 4, "helped": None, "involved": 5, "recommend": 3},
        instrument=instrument,
    )
    assert made.total is None and made.satisfaction_mean == 4.0
    assert made.item_scores == {"listened": 4, "helped": None, "involved": 5, "recommend": 3}
    with pytest.raises(ValidationError) as error:
        rate(ongoing, investigator, TODAY, {"listened": 6}, instrument=instrument)
    assert error.value.message_dict == {
        "score_listened": ["Svaret måste vara ett heltal från 1 till 5."]
    }


# --- The youngest children (docs/followup-instruments.md, "Children under 6") ---------------


def _four_years_old(intervention):
    """The case's child made four on TODAY's day (born four years and a half before)."""
    child = intervention.case.child
    type(child).objects.filter(pk=child.pk).update(birth_date=TODAY - timedelta(days=4 * 365 + 180))
    intervention.case.child.refresh_from_db()
    return child


def test_a_child_under_six_does_not_rate_themself(ongoing, investigator):
    _four_years_old(ongoing)
    with pytest.raises(ValidationError) as error:
        rate(ongoing, investigator, TODAY, scores(5, 5, 5, 5), RaterRole.CHILD)
    assert error.value.message_dict == {
        "rater": [
            "Barnet är under 6 år och skattar inte själv med det här formuläret. Låt en "
            "vårdnadshavare eller utföraren skatta för barnet."
        ]
    }
    assert not Measurement.objects.exists()


def test_a_guardians_series_for_a_four_year_old_is_classified_with_the_band_for_0_to_5(
    ongoing, investigator, time_machine
):
    """Band 0–5: cut-off 32, reliable change 6. The guardian: 6+6+6+6 = 24.0, then
    7+7.5+7+8 = 29.5, then 8+8.5+8+8.5 = 33.0. Δ = 33.0 − 24.0 = 9.0 ≥ 6, first 24.0 < 32 and
    last 33.0 ≥ 32: recovered. The provider: 7+7+7+7 = 28.0, then 8+8+8+7.5 = 31.5: Δ = 3.5 < 6,
    no reliable change (the provider's own series, the same band: the child's age decides)."""
    child = _four_years_old(ongoing)
    guardian = RelationshipFactory(child=child, kind="guardian").other
    time_machine.move_to(TODAY + timedelta(days=30), tick=False)
    for day, items in (
        (0, scores(6, 6, 6, 6)),
        (14, scores(7, "7.5", 7, 8)),
        (28, scores(8, "8.5", 8, "8.5")),
    ):
        rate(
            ongoing,
            investigator,
            TODAY + timedelta(days=day),
            items,
            RaterRole.GUARDIAN,
            guardian.pk,
        )
    rate(ongoing, investigator, TODAY, scores(7, 7, 7, 7), RaterRole.PROVIDER)
    rate(
        ongoing,
        investigator,
        TODAY + timedelta(days=14),
        scores(8, 8, 8, "7.5"),
        RaterRole.PROVIDER,
    )
    by_role = {series.rater_role: series for series in queries.series_of(ongoing)}
    theirs = by_role[RaterRole.GUARDIAN]
    assert [m.total for m in theirs.measurements] == [D("24.0"), D("29.5"), D("33.0")]
    assert (theirs.band.min_age, theirs.band.max_age) == (0, 5)
    assert (theirs.band.clinical_cutoff, theirs.band.reliable_change) == (D(32), D(6))
    assert theirs.change.change == D("9.0")
    assert theirs.change.classification is Classification.RECOVERED
    provider = by_role[RaterRole.PROVIDER]
    assert provider.change.change == D("3.5")
    assert provider.change.classification is Classification.NO_RELIABLE_CHANGE
    assert provider.why_not_classified == ""


def test_the_data_migration_gives_an_existing_example_the_young_band_once():
    """The row as migration 0002 made it (no band for 0–5, no age limit) gets the band and the
    limit; running it again changes nothing."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("rodtrad.followup.migrations.0005_young_children")
    instrument = example_instrument()
    old_bands = [band for band in instrument.bands if band["min_age"] >= 6]
    type(instrument).objects.filter(pk=instrument.pk).update(
        bands=old_bands, self_rating_min_age=None
    )
    migration.young_children(apps, None)
    migration.young_children(apps, None)
    instrument.refresh_from_db()
    assert instrument.bands == [migration.YOUNG_BAND, *old_bands]
    assert instrument.self_rating_min_age == 6
    assert instrument.spec().bands[0].covers(0) and instrument.spec().bands[0].covers(5)
