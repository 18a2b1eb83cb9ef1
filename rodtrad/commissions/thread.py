"""The red thread of a case: each need → its goals → the interventions answering it, and every
broken link (docs/red-thread.md, "The red-thread view"). One computation for the case page and
the team manager's list, in a fixed number of queries for any number of cases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rodtrad.commissions.models import CommissionStatus, Goal
from rodtrad.decisions.models import Decision, Intervention
from rodtrad.investigation.models import Need

NO_INTERVENTION = "no_intervention"  # a need no granted intervention answers
NO_GOAL = "no_goal"  # a need answered by an intervention, but no goal of a commission
NO_NEED = "no_need"  # an intervention that answers no need


@dataclass
class Link:
    need: Need
    goals: list[Goal] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)


@dataclass
class Thread:
    links: list[Link] = field(default_factory=list)
    unlinked: list[Intervention] = field(default_factory=list)  # interventions with no need
    decided: bool = False  # some intervention is granted (before that nothing is broken)

    @property
    def broken(self) -> int:
        return sum(len(link.breaks) for link in self.links) + len(self.unlinked)

    def count(self, kind: str) -> int:
        if kind == NO_NEED:
            return len(self.unlinked)
        return sum(1 for link in self.links if kind in link.breaks)


def threads(case_ids: Iterable[int]) -> dict[int, Thread]:
    """The thread of each case (four queries whatever the number of cases)."""
    ids = sorted(set(case_ids))
    result = {case_id: Thread() for case_id in ids}
    links: dict[int, Link] = {}
    for need in (
        Need.objects.filter(investigation__case_id__in=ids)
        .select_related("investigation")
        .order_by("-investigation__opened_on", "pk")
    ):
        link = Link(need=need)
        links[need.pk] = link
        result[need.investigation.case_id].links.append(link)
    for decision in (
        Decision.objects.filter(case_id__in=ids, intervention__isnull=False)
        .select_related("intervention")
        .prefetch_related("needs")
        .order_by("pk")
    ):
        thread = result[decision.case_id]
        thread.decided = True
        answered = [need.pk for need in decision.needs.all() if need.pk in links]
        for pk in answered:
            links[pk].interventions.append(decision.intervention)
        if not answered:
            thread.unlinked.append(decision.intervention)
    for goal in (
        Goal.objects.filter(commission__case_id__in=ids)
        .exclude(commission__status=CommissionStatus.REPLACED)
        .select_related("commission")
        .prefetch_related("needs")
        .order_by("pk")
    ):
        for need in goal.needs.all():
            if need.pk in links:
                links[need.pk].goals.append(goal)
    for thread in result.values():
        for link in thread.links:
            if thread.decided and not link.interventions:
                link.breaks.append(NO_INTERVENTION)
            if link.interventions and not link.goals:
                link.breaks.append(NO_GOAL)
    return result


def thread_of(case: Any) -> Thread:
    return threads([case.pk])[case.pk]
