"""Reading programmes, sampled cases and findings: the audits' own door, beside access.py
(docs/internal-control.md, "Who sees what"). Outside it the answer is 404, with a `denied`
access event naming the case where there is one (access.not_found)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from rodtrad.accounts import access
from rodtrad.audits import services
from rodtrad.audits.models import (
    CaseReview,
    Finding,
    LogAnswer,
    LogReview,
    LogReviewItem,
    LogRule,
    ReviewerAssignment,
    ReviewProgramme,
    SampledCase,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User


def access_reason(programme: ReviewProgramme) -> str:
    """The reason an access event of a review carries: the programme (docs/internal-control.md)."""
    return f"Egenkontroll: granskningsprogram {programme.pk}"


def programmes_for(user: User | AnonymousUser) -> QuerySet[ReviewProgramme]:
    """The administrator: every programme; a reviewer: those where they were given a case."""
    programmes = ReviewProgramme.objects.select_related("checklist")
    if services.may_administer(user):
        return programmes
    if services.is_reviewer(user):
        mine = ReviewerAssignment.objects.filter(reviewer_id=user.pk).values(
            "sampled_case__programme_id"
        )
        return programmes.filter(pk__in=mine)
    return programmes.none()


def get_programme_for(user: User | AnonymousUser, pk: int | str | None) -> ReviewProgramme:
    number = access.parse_id(pk)
    programme = programmes_for(user).filter(pk=number).first() if number else None
    if programme is None:
        raise access.not_found(user)
    return programme


def reviewer_samples(user: User | AnonymousUser, programme: ReviewProgramme) -> list[SampledCase]:
    """The sampled cases of the programme given to this reviewer."""
    return list(
        SampledCase.objects.filter(programme=programme, assignments__reviewer_id=user.pk)
        .select_related("case", "stratum")
        .order_by("stratum__name", "draw_order")
    )


def get_sample_for_review(user: User | AnonymousUser, pk: int | str | None) -> SampledCase:
    """A sampled case given to this reviewer, while the review period runs; otherwise 404. No
    one else reads a case through a programme: not the administrator, not another reviewer."""
    number = access.parse_id(pk)
    sampled = (
        SampledCase.objects.filter(pk=number, assignments__reviewer_id=user.pk)
        .select_related("programme__checklist", "case__child", "case__district", "stratum")
        .first()
        if number and services.is_reviewer(user)
        else None
    )
    if sampled is None or not services.review_is_open(sampled.programme, timezone.localdate()):
        case_id = SampledCase.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return sampled


def own_review(user: User | AnonymousUser, sampled: SampledCase) -> CaseReview | None:
    """The reviewer's own answers; never another reviewer's (they are blind to each other)."""
    return CaseReview.objects.filter(sampled_case=sampled, reviewer_id=user.pk).first()


def own_findings(user: User | AnonymousUser, sampled: SampledCase) -> list[Finding]:
    """What the reviewer flagged about the sampled case and what the manager did about it
    (the reviewer sees her own flags only, as her own answers)."""
    return list(
        Finding.objects.filter(sampled_case=sampled, flagged_by_id=user.pk)
        .select_related("item", "action_by")
        .order_by("flagged_at", "pk")
    )


def get_finding_for(user: User | AnonymousUser, pk: int | str | None) -> Finding:
    """A finding for a team manager of its case's district who sees the case; otherwise 404."""
    number = access.parse_id(pk)
    finding = (
        Finding.objects.filter(
            pk=number, sampled_case__case__in=access.visible_cases(user).values("pk")
        )
        .select_related(
            "sampled_case__programme", "sampled_case__case__child", "item", "flagged_by"
        )
        .first()
        if number
        else None
    )
    if finding is None or not services.may_handle_finding(user, finding):
        case_id = (
            Finding.objects.filter(pk=number)
            .values_list("sampled_case__case_id", flat=True)
            .first()
        )
        raise access.not_found(user, case_id=case_id)
    return finding


def open_findings_for_manager(user: User | AnonymousUser) -> list[Finding]:
    """The open findings on cases of the districts where the user is a team manager and that
    the user sees: the start page's task list."""
    districts = {
        m.district_id
        for m in access.active_memberships(user)
        if m.role == "team_manager" and m.district_id is not None
    }
    if not districts:
        return []
    cases = access.visible_cases(user).filter(district_id__in=districts).values("pk")
    return list(
        Finding.objects.filter(action_at__isnull=True, sampled_case__case__in=cases)
        .select_related("sampled_case__programme", "sampled_case__case", "item")
        .order_by("flagged_at", "pk")
    )


# --- The log review -----------------------------------------------------------------------------


def log_reviews_for(user: User | AnonymousUser) -> QuerySet[LogReview]:
    """Every log review, for the administrator and the reviewers; nothing for anyone else."""
    if not services.may_review_log(user):
        return LogReview.objects.none()
    return LogReview.objects.select_related("created_by")


def get_log_review_for(user: User | AnonymousUser, pk: int | str | None) -> LogReview:
    number = access.parse_id(pk)
    review = log_reviews_for(user).filter(pk=number).first() if number else None
    if review is None:
        raise access.not_found(user)
    return review


def get_log_item_for(user: User | AnonymousUser, pk: int | str | None) -> LogReviewItem:
    number = access.parse_id(pk)
    item = (
        LogReviewItem.objects.filter(pk=number, review__in=log_reviews_for(user))
        .select_related("review", "event", "answered_by")
        .first()
        if number
        else None
    )
    if item is None:
        raise access.not_found(user)
    return item


def log_results(review: LogReview) -> list[dict[str, object]]:
    """Per reason (the sample and each rule): the items, and how many have each answer and none.
    Every reason is listed, also with no items, so that a rule that found nothing shows 0."""
    counts: dict[tuple[str, str], int] = {}
    for kind, answer in review.items.values_list("kind", "answer"):
        counts[(kind, answer)] = counts.get((kind, answer), 0) + 1
    rows: list[dict[str, object]] = []
    for kind, label in LogRule.choices:
        by_answer = {value: counts.get((kind, value), 0) for value in LogAnswer.values}
        unanswered = counts.get((kind, ""), 0)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "total": sum(by_answer.values()) + unanswered,
                "answers": [by_answer[value] for value in LogAnswer.values],
                "unanswered": unanswered,
            }
        )
    return rows
