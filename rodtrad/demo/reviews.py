"""Demo internal control: a sampled review of this year's violence cases in Bromma, given to the
demo reviewer, with one review submitted and one begun (docs/internal-control.md).

Made through the audits services as the administrator and the reviewer would, at the end of
the demo's history, so the reviewer's start page and the programme's results are not empty.
What is left for a later round: a second reviewer (agreement) and a log-review programme.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from rodtrad.accounts.models import District, User
from rodtrad.audits.models import NO, YES, CasePhase, Checklist, ItemKind
from rodtrad.audits.services import assign_reviewers, create_programme, save_review
from rodtrad.stats.indicators import violence_reason_codes

DISTRICT = "bromma"  # where the demo reviewer works
SAMPLE = 6


def generate_reviews(*, seed: int, users: dict[str, User], districts: dict[str, District]) -> int:
    """Returns the number of sampled cases (0 when no violence case matches on this day)."""
    admin, reviewer = users["admin"], users["granskare"]
    checklist = Checklist.objects.get(key="violence-cases", is_current=True)
    today = timezone.localdate()
    try:
        programme = create_programme(
            by=admin,
            name=f"Våldsärenden {DISTRICT.capitalize()} {today.year}",
            description="Slumpvis urval av utredda ärenden med våld som anmälningsorsak.",
            checklist=checklist,
            districts=[districts[DISTRICT]],
            period_start=today - timedelta(days=365),
            period_end=today,
            sample_per_stratum=SAMPLE,
            review_ends_on=today + timedelta(days=60),
            phase=CasePhase.INVESTIGATED,
            reason_codes=violence_reason_codes(),
            seed=seed,
        )
    except ValidationError:
        return 0  # no investigated violence case in the demo's history on this day
    sampled = list(programme.sampled_cases.order_by("draw_order"))
    assign_reviewers(
        by=admin, programme=programme, sampled_cases=sampled, reviewer_users=[reviewer]
    )
    items = list(checklist.items.all())
    # The first case reviewed and submitted ("yes" throughout, so that the record disagrees
    # where it has no risk assessment or follow-up), the second begun.
    answers = {item.key: YES for item in items if item.kind == ItemKind.YES_NO}
    save_review(by=reviewer, sampled_case=sampled[0], answers=answers, submit=True)
    if len(sampled) > 1:
        first = items[0]
        save_review(by=reviewer, sampled_case=sampled[1], answers={first.key: NO})
    return len(sampled)
