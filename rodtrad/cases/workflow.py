"""The case's statuses and the only allowed moves between them, in one table.

Only `move_case` changes `Case.status`. Services of the phases call it inside their own
transaction, so the status change and the phase's own record are one atomic step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.journal.services import record

if TYPE_CHECKING:
    from rodtrad.accounts.models import User

S = CaseStatus


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: Promise  # what happened, in plain Swedish (translated when shown)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.INTAKE, S.PRE_ASSESSMENT, gettext_lazy("Skyddsbedömning gjord")),
    Transition(S.PRE_ASSESSMENT, S.INVESTIGATION, gettext_lazy("Beslut att inleda utredning")),
    Transition(S.PRE_ASSESSMENT, S.CLOSED, gettext_lazy("Beslut att inte inleda utredning")),
    # A proposal is not a decision: the case waits for the decisions (SoL 11:1, a later
    # issue), which either start the interventions or close the case.
    Transition(
        S.INVESTIGATION,
        S.PROPOSAL_AWAITING_DECISION,
        gettext_lazy("Utredningen avslutad med förslag på insatser"),
    ),
    Transition(
        S.INVESTIGATION,
        S.CLOSED,
        gettext_lazy("Utredningen avslutad utan insats eller överflyttad"),
    ),
    Transition(
        S.PROPOSAL_AWAITING_DECISION,
        S.INTERVENTION,
        gettext_lazy("Beslut om insats fattat"),
    ),
    Transition(
        S.PROPOSAL_AWAITING_DECISION,
        S.CLOSED,
        gettext_lazy("Beslut att inte bevilja någon insats, eller avslut utan beslut med skäl"),
    ),
    # A decision to follow up the child's situation (SoL 23 kap. 1–2 §§) instead of an
    # intervention, or after the interventions or an investigation without one: the case is
    # followed up for at most six months (23:5) and then closed (docs/red-thread.md).
    Transition(
        S.PROPOSAL_AWAITING_DECISION,
        S.FOLLOW_UP,
        gettext_lazy("Beslut om uppföljning i stället för insats"),
    ),
    # Closing the last intervention starts the follow-up period.
    Transition(S.INTERVENTION, S.FOLLOW_UP, gettext_lazy("Insatserna avslutade, uppföljning")),
    Transition(S.INTERVENTION, S.CLOSED, gettext_lazy("Insatserna avslutade")),
    # A new intervention granted while the case is followed up.
    Transition(S.FOLLOW_UP, S.INTERVENTION, gettext_lazy("Ny insats beviljad")),
    Transition(S.FOLLOW_UP, S.CLOSED, gettext_lazy("Uppföljningen avslutad")),
    # The only way out of a closed case: a decision to follow up after an investigation
    # closed without intervention (SoL 23:1), within its six months.
    Transition(S.CLOSED, S.FOLLOW_UP, gettext_lazy("Beslut om uppföljning efter utredning")),
)
ALLOWED = {(t.source, t.target): t for t in TRANSITIONS}


class IllegalTransition(ValidationError):
    """The case cannot move from its status to the one asked for."""


def allowed_targets(status: str) -> list[str]:
    return [t.target for t in TRANSITIONS if t.source == status]


def move_case(case: Case, *, to: str, by: User, reason: str = "") -> Case:
    """Move the case to status `to` if the table allows it; journaled; compare-and-set."""
    transition = ALLOWED.get((case.status, to))
    if transition is None:
        raise IllegalTransition(
            _("Ett ärende med status ”%(source)s” kan inte gå till ”%(target)s”.")
            % {"source": CaseStatus(case.status).label, "target": CaseStatus(to).label},
            code="status",
        )
    with transaction.atomic():
        from django.utils import timezone

        changes: dict[str, Any] = {"status": to, "version": F("version") + 1}
        if to == S.CLOSED:
            changes["closed_at"] = timezone.now()
        elif case.status == S.CLOSED:
            changes["closed_at"] = None
        moved = Case.objects.filter(pk=case.pk, status=case.status).update(**changes)
        if moved != 1:
            raise IllegalTransition(
                _("Ärendet har just ändrats av någon annan. Ladda om sidan."), code="status"
            )
        record(
            "cases.status_changed",
            by=by,
            obj=case,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"from": case.status, "to": to, "reason_given": bool(reason)},
        )
        case.refresh_from_db()
        return case
