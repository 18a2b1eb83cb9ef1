"""The investigation deadlines, registered in `rodtrad.deadlines.registry` (from
`InvestigationConfig.ready`).

* Investigation (SoL 20:3): four months from the opening, moved by the extension decisions,
  for every open investigation (the partial index on open investigations serves the finder).
* New risk assessment: a reminder, the date set in the newest signed risk assessment of each
  open investigation (a newer signed assessment replaces the older one's date). No rule and
  no paragraph: tagged "påminnelse", never "försenad" (docs/deadlines.md).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import DocumentStatus
from rodtrad.deadlines import registry, rules
from rodtrad.investigation.models import (
    ExtensionDecision,
    Investigation,
    RiskAssessment,
    investigation_deadline,
)

RISK_REASSESSMENT = "risk_reassessment"


def find_investigations(scope: registry.Scope) -> list[registry.Found]:
    investigations = (
        Investigation.objects.filter(closed_on__isnull=True)
        .filter(scope.has_case())
        .order_by()
        .only("pk", "case_id", "opened_on", "closed_on")
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=ExtensionDecision.objects.order_by("decided_on", "pk").only(
                    "pk", "investigation_id", "decided_on", "extended_to"
                ),
            )
        )
    )
    found = []
    for investigation in investigations:
        extensions = [e.extended_to for e in investigation.extensions.all()]
        found.append(
            registry.Found(
                kind=rules.INVESTIGATION,
                case_id=investigation.case_id,
                object_id=investigation.pk,
                counted_from=investigation.opened_on,
                deadline=investigation_deadline(investigation.opened_on, extensions),
                ids={"investigation": investigation.pk, "case": investigation.case_id},
                has_extension=bool(extensions),
            )
        )
    return found


def find_risk_reassessments(scope: registry.Scope) -> list[registry.Found]:
    newest: dict[int, Any] = {}
    rows = (
        RiskAssessment.objects.filter(
            investigation__in=Investigation.objects.filter(closed_on__isnull=True)
            .filter(scope.has_case())
            .values("pk"),
            status=DocumentStatus.SIGNED,
        )
        .order_by("investigation_id", "-event_on", "-pk")
        .values("pk", "investigation_id", "investigation__case_id", "event_on", "reassessment_on")
    )
    for row in rows:
        newest.setdefault(row["investigation_id"], row)
    found = []
    for row in newest.values():
        day = row["reassessment_on"]
        if day is None:
            continue
        case_id = row["investigation__case_id"]
        found.append(
            registry.Found(
                kind=RISK_REASSESSMENT,
                case_id=case_id,
                object_id=row["pk"],
                counted_from=row["event_on"],
                deadline=rules.Deadline(rule=RISK_REASSESSMENT, due_strict=day, due=day),
                ids={"risk_assessment": row["pk"], "case": case_id},
            )
        )
    return found


INVESTIGATION = registry.DeadlineKind(
    key=rules.INVESTIGATION,
    label=_("Utredning"),
    rule=rules.RULES[rules.INVESTIGATION],
    action_route="investigation:investigation-detail",
    action_id="investigation",
    find=find_investigations,
)
NEW_RISK_ASSESSMENT = registry.DeadlineKind(
    key=RISK_REASSESSMENT,
    label=_("Ny riskbedömning"),
    rule=None,
    action_route="investigation:risk-edit",
    action_id="risk_assessment",
    find=find_risk_reassessments,
)


def register() -> None:
    for kind in (INVESTIGATION, NEW_RISK_ASSESSMENT):
        registry.register(kind)
