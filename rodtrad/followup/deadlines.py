"""The follow-up of commissions in the lists (registered from `FollowupConfig.ready`):
the commission's next follow-up, its first date and then every N weeks after the last held
(docs/red-thread.md, "Follow-up"). A date the handler set in the commission, so a reminder
("påminnelse", no paragraph; docs/deadlines.md)."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from rodtrad.commissions.models import Commission
from rodtrad.deadlines import registry, rules
from rodtrad.followup.services import FOLLOWED_UP, next_follow_up_on

COMMISSION_FOLLOW_UP = "commission_follow_up"


def find_commission_follow_ups(scope: registry.Scope) -> list[registry.Found]:
    commissions = list(
        Commission.objects.filter(status__in=list(FOLLOWED_UP), intervention__ended_on__isnull=True)
        .filter(scope.has_case())
        .annotate(last_held_on=Max("follow_ups__held_on"))
        .order_by()
        .only("pk", "case_id", "first_follow_up_on", "follow_up_every_weeks", "sent_at")
    )
    found = []
    for commission in commissions:
        last = getattr(commission, "last_held_on", None)
        day = next_follow_up_on(commission, last)
        if day is None:
            continue
        found.append(
            registry.Found(
                kind=COMMISSION_FOLLOW_UP,
                case_id=commission.case_id,
                object_id=commission.pk,
                counted_from=last or day,
                deadline=rules.Deadline(rule=COMMISSION_FOLLOW_UP, due_strict=day, due=day),
                ids={"commission": commission.pk, "case": commission.case_id},
            )
        )
    return found


FOLLOW_UP = registry.DeadlineKind(
    key=COMMISSION_FOLLOW_UP,
    label=_("Uppföljning av uppdraget"),
    rule=None,
    action_route="followup:follow-up-create",
    action_id="commission",
    find=find_commission_follow_ups,
)


def register() -> None:
    registry.register(FOLLOW_UP)
