"""The investigation of a child's needs (SoL 20:3–7) and its documents.

An `Investigation` belongs to a case and runs from the decision to open it to its closing
with an outcome. Its documents are evidence (docs/principles.md rule 4): the plan, one text per
area of the chosen framework, risk assessments and the analysis are `SignableDocument`s,
drafts that autosave until they are signed. The contact log, needs, extension decisions and
communications are plain rows with a user-entered date beside the server's `recorded_at`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case, SignableDocument
from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.registry import Clock

DEFAULT_FRAMEWORK = "bbic-2018-areas"


def is_late(event_on: date | None, recorded_at: datetime | None) -> bool:
    """Recorded more than settings.RODTRAD_LATE_RECORDING_DAYS after the day it is about."""
    if event_on is None or recorded_at is None:
        return False
    days = (timezone.localtime(recorded_at).date() - event_on).days
    return days > settings.RODTRAD_LATE_RECORDING_DAYS


def investigation_deadline(opened_on: date, extensions: list[date]) -> rules.Deadline:
    """SoL 20:3 with the extensions in decision order, for every page and list.

    The services refuse an extension that does not move the last day later
    (`rules.InvalidExtension`); should such a row exist anyway, it is skipped here rather
    than breaking every page that shows the deadline.
    """
    try:
        return rules.investigation_deadline(opened_on, extensions)
    except rules.InvalidExtension:
        valid: list[date] = []
        for extended_to in extensions:
            if extended_to > rules.investigation_deadline(opened_on, valid).due:
                valid.append(extended_to)
        return rules.investigation_deadline(opened_on, valid)


class Outcome(models.TextChoices):
    """How an investigation ends."""

    PROPOSAL = "proposal", _("Förslag på insatser")
    NO_INTERVENTION = "no_intervention", _("Avslutad utan insats")
    TRANSFERRED = "transferred", _("Överflyttad till annan kommun eller nämnd")


class Investigation(models.Model):
    """One investigation of a case (barnavårdsutredning), opened by a pre-assessment decision."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    opened_on = models.DateField(_("inledd"))
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # SoL 20:4: those concerned are told "genast" that an investigation has started, unless
    # there are special reasons; either the when and how, or the reason it waits, is recorded.
    informed_on = models.DateField(_("parterna informerades"), null=True, blank=True)
    informed_how = models.TextField(_("hur parterna informerades"), blank=True)
    information_deferred_reason = models.TextField(
        _("skäl att vänta med informationen"), blank=True
    )
    informing_recorded_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome.choices, blank=True)
    closing_note = models.TextField(_("kommentar vid avslut"), blank=True)
    # Areas of the signed plan that were never written (signed) when the investigation
    # closed, each with the reason given: {area code: reason}.
    unwritten_area_reasons = models.JSONField(
        _("skäl till att planerade områden inte utreddes"), default=dict, blank=True
    )
    # The needs the proposal of interventions answers (the red thread need → intervention).
    proposed_needs: models.ManyToManyField[Need, Any] = models.ManyToManyField(
        "Need", related_name="+", blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on"]
        indexes = [
            # The worklists start from the open investigations (investigation/deadlines.py).
            models.Index(
                fields=["case"],
                condition=models.Q(closed_on__isnull=True),
                name="investigation_open_by_case_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Utredning {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def extension_dates(self) -> list[date]:
        """New end dates of the extension decisions, oldest decision first."""
        return [e.extended_to for e in self.extensions.all()]

    @cached_property
    def deadline(self) -> rules.Deadline:
        """Four months from opening, moved by the extension decisions (SoL 20:3)."""
        return investigation_deadline(self.opened_on, self.extension_dates())

    @cached_property
    def clock(self) -> Clock | None:
        """The running deadline as every page shows it (date, days left, urgency): the
        registry's clock, the same as "Mina frister" and the team view; None once closed."""
        kind = registry.get(rules.INVESTIGATION)
        return kind.clocks_for_case(self.case, today=timezone.localdate()).get(self.pk)

    @property
    def is_past_deadline_without_extension(self) -> bool:
        """Open and past its last day, with no extension decision that covers today."""
        return self.is_open and timezone.localdate() > self.deadline.due

    @property
    def is_closed_late(self) -> bool:
        return self.closed_on is not None and self.closed_on > self.deadline.due

    @property
    def is_informing_recorded_late(self) -> bool:
        return is_late(self.informed_on, self.informing_recorded_at)

    @property
    def is_closing_recorded_late(self) -> bool:
        return is_late(self.closed_on, self.closed_at)


class InvestigationDocument(SignableDocument):
    """A signable document of an investigation; access follows the case."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="+")
    # Fields the user edits in the draft (save_draft also accepts event_on).
    EDITABLE_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ["pk"]


class InvestigationPlan(InvestigationDocument):
    """Utredningsplan: the questions, the areas to investigate, contacts, how the child is met."""

    framework = models.CharField(_("ramverk"), max_length=80, default=DEFAULT_FRAMEWORK)
    questions = models.TextField(_("frågor som utredningen ska besvara"), blank=True)
    areas = models.JSONField(_("områden att utreda"), default=list, blank=True)
    planned_contacts = models.TextField(_("planerade kontakter"), blank=True)
    child_meeting = models.TextField(_("hur barnet ska träffas och vara delaktigt"), blank=True)
    time_plan = models.TextField(_("tidsplan"), blank=True)

    CONTENT_FIELDS = (
        "framework",
        "questions",
        "areas",
        "planned_contacts",
        "child_meeting",
        "time_plan",
    )
    EDITABLE_FIELDS = ("questions", "areas", "planned_contacts", "child_meeting", "time_plan")

    class Meta(InvestigationDocument.Meta):
        verbose_name = _("utredningsplan")
        # One plan per investigation (its corrections aside): the editor creates the draft on
        # the first save, and two tabs opening "new plan" must not make two.
        constraints = [
            models.UniqueConstraint(
                fields=["investigation"],
                condition=models.Q(corrects__isnull=True),
                name="one_plan_per_investigation",
            )
        ]


class AreaAssessment(InvestigationDocument):
    """The investigation's text for one area of the framework (e.g. BBIC "Hälsa")."""

    framework = models.CharField(_("ramverk"), max_length=80, default=DEFAULT_FRAMEWORK)
    area = models.CharField(_("område"), max_length=60)
    facts = models.TextField(_("uppgifter"), blank=True)
    sources = models.TextField(_("källor"), blank=True)
    risk_factors = models.TextField(_("riskfaktorer"), blank=True)
    protective_factors = models.TextField(_("skyddsfaktorer"), blank=True)
    child_view = models.TextField(_("barnets syn"), blank=True)
    guardians_view = models.TextField(_("vårdnadshavarnas syn"), blank=True)

    CONTENT_FIELDS = (
        "framework",
        "area",
        "facts",
        "sources",
        "risk_factors",
        "protective_factors",
        "child_view",
        "guardians_view",
    )
    EDITABLE_FIELDS = (
        "facts",
        "sources",
        "risk_factors",
        "protective_factors",
        "child_view",
        "guardians_view",
    )

    class Meta(InvestigationDocument.Meta):
        verbose_name = _("bedömning av område")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "area"],
                condition=models.Q(corrects__isnull=True),
                name="one_text_per_area_of_an_investigation",
            )
        ]


class RiskJudgement(models.TextChoices):
    LOW = "low", _("Låg")
    MODERATE = "moderate", _("Måttlig")
    HIGH = "high", _("Hög")
    ACUTE = "acute", _("Akut – barnet behöver skydd nu")


class TimeHorizon(models.TextChoices):
    ACUTE = "acute", _("Akut (nu)")
    SHORT = "short", _("Kort sikt (veckor till månader)")
    LONG = "long", _("Lång sikt")


class RiskAssessment(InvestigationDocument):
    """A structured risk assessment (HSLF-FS 2022:39): instrument, answers, judgement, safety plan.

    Only the instrument's name, code and version are stored with the answers: no licensed
    item texts are shipped (docs/domain.md §4.2).
    """

    instrument = models.CharField(_("metod eller instrument"), max_length=200)
    instrument_code = models.CharField(_("kod för instrumentet"), max_length=40, blank=True)
    instrument_version = models.CharField(_("version"), max_length=40, blank=True)
    answers = models.JSONField(_("svar"), default=dict, blank=True)
    judgement = models.CharField(
        _("samlad bedömning"), max_length=20, choices=RiskJudgement.choices, blank=True
    )
    time_horizon = models.CharField(
        _("tidsperspektiv"), max_length=20, choices=TimeHorizon.choices, blank=True
    )
    reassessment_on = models.DateField(_("ny bedömning senast"), null=True, blank=True)
    safety_plan = models.TextField(_("säkerhetsplan"), blank=True)

    CONTENT_FIELDS = (
        "instrument",
        "instrument_code",
        "instrument_version",
        "answers",
        "judgement",
        "time_horizon",
        "reassessment_on",
        "safety_plan",
    )
    EDITABLE_FIELDS = CONTENT_FIELDS

    class Meta(InvestigationDocument.Meta):
        verbose_name = _("riskbedömning")
        # Several risk assessments over time are normal, but only one new one is written at a
        # time: "Gör en riskbedömning" continues that draft instead of starting another.
        constraints = [
            models.UniqueConstraint(
                fields=["investigation"],
                condition=models.Q(corrects__isnull=True, status="draft"),
                name="one_new_risk_assessment_draft",
            )
        ]


class Analysis(InvestigationDocument):
    """Analys och bedömning: weighs what was found and names the child's needs (`Need`)."""

    text = models.TextField(_("analys och bedömning"), blank=True)
    # Signing without any logged conversation with the child requires this reason (SoL 3:2).
    child_not_met_reason = models.TextField(
        _("varför barnet inte har fått komma till tals"), blank=True
    )
    # The needs as they stood when the analysis was signed: part of the signed content.
    needs_snapshot = models.JSONField(default=list, blank=True)

    CONTENT_FIELDS = ("text", "child_not_met_reason", "needs_snapshot")
    EDITABLE_FIELDS = ("text", "child_not_met_reason")

    class Meta(InvestigationDocument.Meta):
        verbose_name = _("analys")
        verbose_name_plural = _("analyser")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation"],
                condition=models.Q(corrects__isnull=True),
                name="one_analysis_per_investigation",
            )
        ]


class Severity(models.TextChoices):
    LOW = "low", _("Lågt")
    MODERATE = "moderate", _("Måttligt")
    HIGH = "high", _("Stort")


class Need(models.Model):
    """A need the analysis names (behov), by area; later goals and interventions point at it."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="needs")
    framework = models.CharField(_("ramverk"), max_length=80, default=DEFAULT_FRAMEWORK)
    area = models.CharField(_("område"), max_length=60)
    description = models.TextField(_("behov"))
    severity = models.CharField(_("hur stort behovet är"), max_length=20, choices=Severity.choices)
    child_view = models.TextField(_("barnets syn på behovet"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Behov {self.pk}"


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Hembesök")
    CHILD_CONVERSATION = "child_conversation", _("Samtal med barnet")
    GUARDIAN_CONVERSATION = "guardian_conversation", _("Samtal med vårdnadshavare")
    NETWORK_MEETING = "network_meeting", _("Nätverksmöte")
    REFERENCE_SCHOOL = "reference_school", _("Referenskontakt med förskola eller skola")
    REFERENCE_CHILD_HEALTH = "reference_child_health", _("Referenskontakt med BVC")
    REFERENCE_HEALTH_CARE = "reference_health_care", _("Referenskontakt med hälso- och sjukvård")
    REFERENCE_POLICE = "reference_police", _("Referenskontakt med polisen")
    OTHER = "other", _("Annan kontakt")


class Contact(models.Model):
    """One contact in the investigation; the child conversations are the child's participation."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("slag av kontakt"), max_length=30, choices=ContactKind.choices)
    event_on = models.DateField(_("datum"))
    # Only for conversations with the child (SoL 20:7): alone, and whether violence was raised.
    child_alone = models.BooleanField(
        _("barnet var ensamt med handläggaren"), null=True, blank=True
    )
    covered_violence = models.BooleanField(_("samtalet tog upp våld"), null=True, blank=True)
    summary = models.TextField(_("sammanfattning"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event_on", "pk"]
        indexes = [models.Index(fields=["investigation", "kind"])]

    def __str__(self) -> str:
        return f"Kontakt {self.pk}"

    @property
    def is_child_conversation(self) -> bool:
        return self.kind == ContactKind.CHILD_CONVERSATION

    @property
    def is_recorded_late(self) -> bool:
        return is_late(self.event_on, self.recorded_at)


class ExtensionDecision(models.Model):
    """Beslut om förlängd utredningstid (SoL 20:3): by a team manager, before the deadline."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="extensions"
    )
    decided_on = models.DateField(_("beslutsdatum"))
    extended_to = models.DateField(_("ny sista dag"))
    previous_due = models.DateField(_("sista dag före beslutet"))
    reasons = models.TextField(_("särskilda skäl"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"Förlängning {self.pk}"

    @property
    def is_recorded_late(self) -> bool:
        return is_late(self.decided_on, self.recorded_at)


class ExtensionRequestStatus(models.TextChoices):
    PENDING = "pending", _("Väntar på beslut")
    GRANTED = "granted", _("Beviljad")
    REFUSED = "refused", _("Avslagen")
    WITHDRAWN = "withdrawn", _("Avslutad utan beslut")


class ExtensionRequest(models.Model):
    """The investigator's request for more time (SoL 20:3), decided by a team manager.

    A request is not a decision: the time limit moves only with an `ExtensionDecision`.
    Granting goes through `services.decide_extension`, which answers the pending request;
    a refusal needs a reason. At most one request waits at a time.
    """

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="extension_requests"
    )
    reasons = models.TextField(_("skäl till förlängning"))
    proposed_to = models.DateField(_("föreslagen ny sista dag"))
    requested_at = models.DateTimeField(_("begärd"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExtensionRequestStatus.choices,
        default=ExtensionRequestStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("besvarad"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision = models.ForeignKey(
        ExtensionDecision,
        on_delete=models.PROTECT,
        related_name="requests",
        null=True,
        blank=True,
    )
    refusal_reason = models.TextField(_("skäl till avslaget"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [
            # The team managers' list of waiting requests starts from these rows.
            models.Index(
                fields=["investigation"],
                condition=models.Q(status="pending"),
                name="extension_request_pending_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["investigation"],
                condition=models.Q(status="pending"),
                name="one_pending_extension_request_per_investigation",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="refused_extension_request_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="granted") | models.Q(decision__isnull=False),
                name="granted_extension_request_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Begäran om förlängning {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == ExtensionRequestStatus.PENDING


class Communication(models.Model):
    """Kommunicering (förvaltningslagen 25 §): what was sent to which of the case's persons,
    and the answer.

    The recipient is chosen among the parties (the child from 15 and the guardians:
    people.queries.parties_of_child), never typed, so that a protected
    person is recognised before anything is sent. Rows recorded before that keep their typed
    text in `legacy_recipient`, shown as such.
    """

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="communications"
    )
    subject = models.TextField(_("vad som kommunicerades"))
    recipient = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("mottagare"),
    )
    # In what capacity the recipient got it; empty when the recipient is the child.
    recipient_relationship = models.ForeignKey(
        "people.Relationship",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("mottagarens relation till barnet"),
    )
    legacy_recipient = models.CharField(
        _("mottagare (fritext från en äldre version)"), max_length=200, blank=True
    )
    # The user confirmed a secrecy check: the recipient or someone in the family is protected.
    is_secrecy_checked = models.BooleanField(_("sekretessprövning gjord"), default=False)
    sent_on = models.DateField(_("skickat"))
    # The last day the party may answer (svarstid). Closing the investigation waits for the
    # answer or for this day to pass (förvaltningslagen 25 §).
    answer_by = models.DateField(_("svar senast"), null=True, blank=True)
    answer = models.TextField(_("svar"), blank=True)
    answered_on = models.DateField(_("svar kom in"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer_recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(legacy_recipient=""),
                name="communication_has_a_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Kommunicering {self.pk}"

    @property
    def is_recorded_late(self) -> bool:
        return is_late(self.sent_on, self.recorded_at)

    @property
    def is_answer_recorded_late(self) -> bool:
        return is_late(self.answered_on, self.answer_recorded_at)
