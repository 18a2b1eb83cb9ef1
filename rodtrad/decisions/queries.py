"""Reading decisions and interventions, always through the cases the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.deadlines import rules
from rodtrad.decisions.models import GRANTING_KINDS, Decision, DecisionNotice, Intervention

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User


def get_decision_for(user: User | AnonymousUser, pk: int | str | None) -> Decision:
    number = access.parse_id(pk)
    decision = (
        Decision.objects.filter(pk=number, case__in=access.visible_cases(user).values("pk"))
        .select_related("case", "case__child", "case__district", "decided_by", "replaces")
        .first()
        if number
        else None
    )
    if decision is None:
        case_id = Decision.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return decision


def get_intervention_for(
    user: User | AnonymousUser, pk: int | str | None, *, for_edit: bool = False
) -> Intervention:
    number = access.parse_id(pk)
    cases = access.editable_cases(user) if for_edit else access.visible_cases(user)
    intervention = (
        Intervention.objects.filter(pk=number, case__in=cases.values("pk"))
        .select_related("case", "case__child", "case__district", "decision", "provider_unit")
        .first()
        if number
        else None
    )
    if intervention is None:
        case_id = Intervention.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return intervention


def decisions_of_case(case: Case) -> list[Decision]:
    """The case's decisions, newest first, with their needs, notices and intervention."""
    return list(
        Decision.objects.filter(case=case)
        .select_related("decided_by", "intervention", "intervention__provider_unit")
        .prefetch_related(
            "needs",
            "replaced_by",
            Prefetch("notices", queryset=DecisionNotice.objects.select_related("recipient")),
        )
        .order_by("-decided_on", "-pk")
    )


def not_carried_out_since(today: date) -> date:
    """The latest decision day whose three months may have run out by `today`: three months
    back, plus the three days a month-end can shift (30 November + 3 months = 28 February).
    The exact check, `_due`, runs on the few rows this bound lets through."""
    return rules.add_months(today, -rules.RULES[rules.NOT_CARRIED_OUT].amount) + timedelta(days=3)


def _due(decided_on: date) -> date:
    return rules.deadline_for(rules.NOT_CARRIED_OUT, decided_on).due


# --- The quarterly report of decisions not carried out (SoL 34 kap. 1 §) -----------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return rules.add_months(self.first_day, 3) - timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, value: str | None, *, default: date) -> Quarter:
        """ "2026-4" → the fourth quarter of 2026; anything else → the quarter of `default`."""
        try:
            year, number = (int(part) for part in (value or "").split("-"))
        except ValueError:
            return cls.of(default)
        if 2000 <= year <= 2100 and 1 <= number <= 4 and cls(year, number).first_day <= default:
            return cls(year, number)
        return cls.of(default)  # a quarter that has not begun has nothing to report

    def previous(self) -> Quarter:
        return Quarter.of(self.first_day - timedelta(days=1))


@dataclass(frozen=True)
class ReportRow:
    """One decision in the quarterly report: no name, no identity number (IVO gets the child's
    sex, the decision date and the intervention; the municipality keeps the link)."""

    intervention: Intervention
    decided_on: date
    due_on: date  # three months after the decision
    started_on: date | None
    ended_on: date | None
    sex: str
    days_waited: int  # to the start, or to the quarter's end

    @property
    def state(self) -> str:
        if self.started_on is not None:
            return "started"
        if self.ended_on is not None:
            return "ended"
        return "waiting"


def not_carried_out_report(
    user: User | AnonymousUser, quarter: Quarter, *, today: date
) -> list[ReportRow]:
    """Granted decisions that had waited three months without being carried out at some time
    in the quarter: decided at least three months before the quarter's end (or today, within
    the running quarter) and not started before their three months ran out; started, ended or
    still waiting. A decision is reported each quarter until it is carried out or ended."""
    end = min(quarter.last_day, today)
    rows = (
        Intervention.objects.filter(
            decision__kind__in=list(GRANTING_KINDS),
            decision__decided_on__lte=not_carried_out_since(end),
            case__in=access.visible_cases(user).values("pk"),
        )
        .exclude(started_on__lt=quarter.first_day)
        .exclude(started_on__isnull=True, ended_on__lt=quarter.first_day)
        .select_related("decision", "case__child", "case__district")
        .order_by("decision__decided_on", "pk")
    )
    report = []
    for row in rows:
        due = _due(row.decision.decided_on)
        if due > end:
            continue  # the bound let a month-end through whose three months run later
        # As the record stood at the end of the quarter (or today).
        started = row.started_on if row.started_on and row.started_on <= end else None
        ended = row.ended_on if not started and row.ended_on and row.ended_on <= end else None
        if started is not None and started <= due:
            continue  # carried out in time
        stop = started or ended or end
        report.append(
            ReportRow(
                intervention=row,
                decided_on=row.decision.decided_on,
                due_on=due,
                started_on=started,
                ended_on=ended,
                sex=row.case.child.legal_sex,
                days_waited=(stop - row.decision.decided_on).days,
            )
        )
    return report
