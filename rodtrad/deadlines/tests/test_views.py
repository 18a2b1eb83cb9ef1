"""The deadline pages and the start page: what they show, to whom, and the access events.

The clock stands at Wednesday 10 June 2026 (conftest.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.deadlines.tests.clock import at
from rodtrad.intake.tests.factories import ProtectionAssessmentFactory, ReportChildFactory
from rodtrad.investigation.tests.factories import (
    ExtensionRequestFactory,
    InvestigationFactory,
    RiskAssessmentFactory,
)
from rodtrad.journal.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


def _name(case: Any) -> str:
    return f"{case.child.given_name} {case.child.family_name}"


def _listed(route: str, user: Any) -> list[int]:
    return sorted(
        AccessEvent.objects.filter(route=route, user=user, action=AccessAction.LISTED).values_list(
            "case_id", flat=True
        )
    )


@pytest.fixture
def my_cases(
    investigator: Any, own_units: Any, other_district: Any, other_district_investigator: Any
) -> dict[str, Any]:
    """An overdue investigation, one due later, and a Farsta case naming the investigator."""
    unit = own_units["investigation"]
    late = CaseFactory(
        child__district=unit.district,
        unit=unit,
        responsible=investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(
        case=late, opened_by=investigator, opened_on=date(2026, 1, 15)
    )  # due 15 May
    later = CaseFactory(
        child__district=unit.district,
        unit=unit,
        responsible=investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(
        case=later, opened_by=investigator, opened_on=date(2026, 3, 20)
    )  # due 20 July
    farsta = CaseFactory(
        child__district=other_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(
        case=farsta, opened_by=other_district_investigator, opened_on=date(2026, 1, 15)
    )
    return {"late": late, "later": later, "farsta": farsta}


# --- Mina frister -----------------------------------------------------------------------------


def test_my_deadlines_page_lists_my_items_most_urgent_first(
    signed_in: Any, investigator: Any, my_cases: dict[str, Any]
) -> None:
    response = signed_in(investigator).get(reverse("deadlines:mine"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<caption>" in body and 'scope="col"' in body and 'scope="row"' in body
    assert body.index(_name(my_cases["late"])) < body.index(_name(my_cases["later"]))
    assert "26 dagar försenad" in body
    assert "40 dagar kvar" in body
    assert "SoL 20 kap. 3 §" in body
    assert reverse("cases:case-detail", args=[my_cases["late"].pk]) in body
    assert _name(my_cases["farsta"]) not in body


def test_urgency_is_shown_with_words_and_a_shape_not_colour_alone(
    signed_in: Any, investigator: Any, my_cases: dict[str, Any]
) -> None:
    body = signed_in(investigator).get(reverse("deadlines:mine")).content.decode()

    assert '<span class="tag tag--danger"><span aria-hidden="true">▲ </span>Försenad</span>' in body
    assert '<span class="tag"><span aria-hidden="true">○ </span>Senare</span>' in body


def test_my_deadlines_page_explains_a_date_moved_past_a_holiday(
    signed_in: Any, intake_worker: Any, own_units: Any
) -> None:
    case = CaseFactory(child__district=own_units["intake"].district, unit=own_units["intake"])
    ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 5, 15)
    )

    body = signed_in(intake_worker).get(reverse("deadlines:mine")).content.decode()

    assert "2026-06-19" in body
    # 19 June 2026 is midsommarafton: not a "helgdag", so the page names what the law says.
    assert "Helg- eller ledig dag enligt lag (1930:173): får göras senast 2026-06-22." in body
    assert "Helgdag:" not in body


def test_my_deadlines_page_writes_one_listed_access_event_per_case(
    signed_in: Any, investigator: Any, my_cases: dict[str, Any]
) -> None:
    signed_in(investigator).get(reverse("deadlines:mine"))

    assert _listed("deadlines:mine", investigator) == sorted(
        [my_cases["late"].pk, my_cases["later"].pk]
    )


def test_my_deadlines_page_says_so_when_nothing_runs(signed_in: Any, investigator: Any) -> None:
    body = signed_in(investigator).get(reverse("deadlines:mine")).content.decode()

    assert "Du har inga frister som löper just nu." in body


# --- Teamets frister --------------------------------------------------------------------------


def test_the_team_page_is_for_team_managers_only(
    signed_in: Any, investigator: Any, intake_worker: Any, analyst: Any, manager: Any
) -> None:
    for user in (investigator, intake_worker, analyst):
        assert signed_in(user).get(reverse("deadlines:team")).status_code == 403
    assert signed_in(manager).get(reverse("deadlines:team")).status_code == 200


def test_the_team_page_shows_each_person_and_the_investigations_without_extension(
    signed_in: Any,
    manager: Any,
    investigator: Any,
    my_cases: dict[str, Any],
    intake_worker: Any,
    own_district: Any,
) -> None:
    unassigned = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=unassigned, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )

    response = signed_in(manager).get(reverse("deadlines:team"))

    body = response.content.decode()
    assert "Frister per ansvarig handläggare" in body
    assert f'<th scope="row">{investigator}</th>' in body
    assert '<th scope="row">Ingen ansvarig</th>' in body
    heading = body.index('id="utan-forlangning">Utredningar som passerat sista dagen')
    everything = body.index('id="alla">Alla frister')
    late_section = body[heading:everything]
    assert _name(my_cases["late"]) in late_section
    assert _name(my_cases["later"]) not in late_section
    assert _name(unassigned) in body[everything:]
    assert _name(my_cases["farsta"]) not in body
    assert _listed("deadlines:team", manager) == sorted(
        [my_cases["late"].pk, my_cases["later"].pk, unassigned.pk]
    )


def test_the_team_page_shows_only_the_managers_own_district(
    signed_in: Any, other_district_manager: Any, my_cases: dict[str, Any]
) -> None:
    body = signed_in(other_district_manager).get(reverse("deadlines:team")).content.decode()

    assert _name(my_cases["farsta"]) in body
    assert _name(my_cases["late"]) not in body
    assert _name(my_cases["later"]) not in body


# --- The start page ---------------------------------------------------------------------------


def test_the_start_page_shows_what_is_overdue_and_due_today(
    signed_in: Any, investigator: Any, my_cases: dict[str, Any], own_units: Any
) -> None:
    unit = own_units["investigation"]
    today = CaseFactory(
        child__district=unit.district,
        unit=unit,
        responsible=investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(
        case=today, opened_by=investigator, opened_on=date(2026, 2, 10)
    )  # due today

    body = signed_in(investigator).get(reverse("home")).content.decode()

    assert "Att göra i dag och försenat" in body
    assert body.index(_name(my_cases["late"])) < body.index(_name(today))
    assert "Sista dag i dag" in body
    assert _name(my_cases["later"]) not in body  # not due yet: behind the link
    assert _name(my_cases["farsta"]) not in body
    assert reverse("deadlines:mine") in body
    assert "Alla mina frister (3 som löper)" in body
    assert _listed("home", investigator) == sorted([my_cases["late"].pk, today.pk])


def test_the_start_page_says_when_nothing_is_overdue_or_due_today(
    signed_in: Any, investigator: Any, own_units: Any
) -> None:
    unit = own_units["investigation"]
    later = CaseFactory(
        child__district=unit.district,
        unit=unit,
        responsible=investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(case=later, opened_by=investigator, opened_on=date(2026, 3, 20))

    body = signed_in(investigator).get(reverse("home")).content.decode()

    assert "Inget är försenat och inget ska vara klart i dag." in body
    assert _name(later) not in body
    assert _listed("home", investigator) == []


def test_the_start_page_gives_a_team_manager_the_team_summary_and_links(
    signed_in: Any, manager: Any, my_cases: dict[str, Any]
) -> None:
    body = signed_in(manager).get(reverse("home")).content.decode()

    assert "Att göra i dag och försenat" in body
    assert "Teamet" in body
    assert reverse("deadlines:team") in body
    assert reverse("cases:emergency-review-list") in body
    assert "Utredningar som passerat sista dagen utan gällande förlängning" in body
    # Counts only: no child of the team is named on the start page.
    assert _name(my_cases["late"]) not in body


@pytest.mark.parametrize("role", ["analyst", "reviewer", "provider", "admin"])
def test_other_roles_are_welcomed_without_deadlines(
    signed_in: Any, role: str, request: Any
) -> None:
    user = request.getfixturevalue(role)

    response = signed_in(user).get(reverse("home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Välkommen" in body
    assert "Att göra i dag och försenat" not in body
    assert reverse("deadlines:mine") not in body


def test_a_risk_reminder_is_shown_as_a_reminder_without_late_wording(
    signed_in: Any, investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(
        case=case, opened_by=investigator, opened_on=date(2026, 5, 1)
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 5, 4),
        reassessment_on=date(2026, 6, 5),
        signed=True,
        assessed=True,
    )

    body = signed_in(investigator).get(reverse("deadlines:mine")).content.decode()

    row = body[body.index("Ny riskbedömning") :]
    row = row[: row.index("</tr>")]
    assert '<span class="tag">påminnelse</span>' in row
    assert "Datumet passerades för 5 dagar sedan" in row
    assert "Passerad påminnelse" in row
    assert "försenad" not in row.lower()
    assert "SoL" not in row


def test_the_team_page_lists_what_waits_for_the_manager_and_logs_the_cases_shown(
    signed_in: Any, manager: Any, investigator: Any, intake_worker: Any, own_district: Any
) -> None:

    urgent = CaseFactory(child__district=own_district)
    rc = ReportChildFactory(
        case=urgent, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )
    ProtectionAssessmentFactory(
        report_child=rc,
        performed_by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren.",
        rationale="Akut.",
    )
    investigating = CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION)
    investigation = InvestigationFactory(
        case=investigating, opened_by=investigator, opened_on=date(2026, 3, 1)
    )
    ExtensionRequestFactory(
        investigation=investigation,
        reasons="BUP dröjer.",
        proposed_to=date(2026, 8, 1),
        requested_by=investigator,
    )

    body = signed_in(manager).get(reverse("deadlines:team")).content.decode()

    assert "Att göra som enhetschef" in body
    assert "1 barn behöver omedelbart skydd och ingen skyddsåtgärd är registrerad" in body
    assert reverse("intake:protection-assessment-create", args=[rc.pk]) in body
    assert "1 begäran om förlängd utredningstid väntar på beslut" in body
    assert reverse("investigation:extension-create", args=[investigation.pk]) in body
    assert {urgent.pk, investigating.pk} <= set(_listed("deadlines:team", manager))


def test_the_start_page_shows_a_manager_what_waits_and_an_investigator_a_passed_reminder(
    signed_in: Any, manager: Any, investigator: Any, intake_worker: Any, own_district: Any
) -> None:

    urgent = CaseFactory(child__district=own_district)
    ProtectionAssessmentFactory(
        report_child=ReportChildFactory(
            case=urgent, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
        ),
        performed_by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren.",
        rationale="Akut.",
    )
    body = signed_in(manager).get(reverse("home")).content.decode()
    assert "Att göra som enhetschef" in body
    assert "1 barn behöver omedelbart skydd" in body
    assert urgent.pk in _listed("home", manager)

    case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(
        case=case, opened_by=investigator, opened_on=date(2026, 5, 1)
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 5, 4),
        reassessment_on=date(2026, 6, 5),
        signed=True,
        assessed=True,
    )
    home = signed_in(investigator).get(reverse("home")).content.decode()
    assert "Ny riskbedömning" in home and "påminnelse" in home
    assert "Att göra som enhetschef" not in home


def test_a_pending_emergency_request_for_a_protected_child_is_on_the_managers_start_page(
    signed_in: Any, manager: Any, other_district_investigator: Any, own_units: Any
) -> None:
    # From the red-team pass on issue 6 (U-3): the request is urgent by definition, and the
    # manager's list named extension requests and receipts but not this.
    from rodtrad.cases.services import request_emergency_access

    unit = own_units["investigation"]
    case = CaseFactory(child__district=unit.district, unit=unit, child__protected=True)
    grant = request_emergency_access(
        by=other_district_investigator,
        identity_number=case.child.identity_number,
        reason="Polisen ringer: barnet är hos dem nu och vi behöver se tidigare oro.",
    )
    assert grant is not None
    client = signed_in(manager)
    for url in (reverse("home"), reverse("deadlines:team")):
        html = client.get(url).content.decode()
        todo = html.split("Att göra som enhetschef", 1)[-1].split("</section>", 1)[0]
        assert "nödåtkomst" in todo.lower(), url
        assert f"{reverse('cases:emergency-review-list')}#grant-{grant.pk}" in todo
        assert _name(case) not in todo  # the protected child is not named before approval
    review = client.get(reverse("cases:emergency-review-list")).content.decode()
    assert f'id="grant-{grant.pk}"' in review


def test_an_investigation_without_a_responsible_is_on_the_managers_list_with_a_link_to_assign(
    signed_in: Any, manager: Any, investigator: Any, own_units: Any
) -> None:
    unit = own_units["investigation"]
    case = CaseFactory(child__district=unit.district, unit=unit, status=CaseStatus.INVESTIGATION)
    InvestigationFactory(case=case, opened_by=investigator, opened_on=date(2026, 6, 8))

    html = signed_in(manager).get(reverse("home")).content.decode()

    todo = html.split("Att göra som enhetschef", 1)[-1].split("</section>", 1)[0]
    assert "1 utredning saknar ansvarig handläggare" in todo
    assert f"{reverse('cases:case-detail', args=[case.pk])}#utse-ansvarig" in todo
    assert _name(case) in todo
    assert case.pk in _listed("home", manager)
    page = signed_in(manager).get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert 'id="utse-ansvarig"' in page
