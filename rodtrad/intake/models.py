"""Aktualisering: reports, the immediate protection assessment and the pre-assessment.

docs/domain.md §1.2 and §2.2 (SoL 2025:400 19 kap. 1–6 §§, 20 kap. 1–2 §§):

* A `Report` (anmälan, ansökan or annan information) is received once and may concern several
  children; each child gets a `ReportChild` that links the report to that child's `Case`.
  Siblings named in one report are linked through the report.
* Every report about a child gets an immediate protection assessment (`ProtectionAssessment`,
  20:1) "genast": the same day as the receipt.
* A case gets one `PreAssessment` (20:2), a signable document whose signing is the decision to
  open, or not to open, an investigation within 14 days of the receipt.
* A mandatory reporter may ask what was decided (`ReporterInformationRequest`, 19:6).

Server times (`received_at`, `recorded_at`, `performed_at`) are set by the database layer and
never by the user; dates the user states (`stated_received_at`, `event_on`) are kept beside
them so that back-dating is visible.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case, SignableDocument


class Report(models.Model):
    """One report, application or other information, as it came in (aktualisering)."""

    district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("stadsdel")
    )
    kind = models.CharField(_("typ av aktualisering"), max_length=40)  # code list report-kinds
    channel = models.CharField(_("kanal"), max_length=40)  # code list report-channels
    reporter_category = models.CharField(_("anmälarkategori"), max_length=40)
    is_mandatory_reporter = models.BooleanField(_("anmälningsskyldig"), default=False)
    reporter_name = models.CharField(_("anmälarens namn"), max_length=200, blank=True)
    reporter_contact = models.CharField(
        _("anmälarens kontaktuppgifter"), max_length=300, blank=True
    )
    # OSL 26 kap. 5 §: the reporter's identity is kept from the family; never in anything
    # shown or sent to them.
    is_reporter_identity_protected = models.BooleanField(
        _("anmälarens identitet är skyddad"), default=False
    )
    text = models.TextField(_("vad anmälan gäller"))
    # Server time of registration; the clocks start here unless an earlier receipt is stated.
    received_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    stated_received_at = models.DateTimeField(
        _("uppgiven tid för mottagandet"), null=True, blank=True
    )
    stated_received_reason = models.TextField(_("skäl till uppgiven tid"), blank=True)
    # A stated receipt more than settings.RODTRAD_STATED_RECEIPT_MAX_DAYS before the
    # registration needs a team manager's note: flagged at registration, confirmed later by a
    # team manager of the district who did not register it (intake.services).
    is_receipt_confirmation_needed = models.BooleanField(
        _("uppgiven tid behöver bekräftas av enhetschef"), default=False
    )
    receipt_confirmed_at = models.DateTimeField(_("uppgiven tid bekräftad"), null=True, blank=True)
    receipt_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    receipt_confirmation_note = models.TextField(_("enhetschefens notering"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The report's id in an earlier system when it came by historical import (`rodtrad import
    # reports`, docs/import-format.md); empty for reports registered in Rodtrad. The pages
    # mark an imported report "Importerad"; the import run itself is kept by the stats app.
    external_id = models.CharField(_("id i tidigare system"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("aktualisering")
        verbose_name_plural = _("aktualiseringar")
        indexes = [
            models.Index(fields=["district", "received_at"]),
            # The manager's list of receipts to confirm starts from these few open rows, not
            # from the district's history (worklists/queries.py, manager_tasks).
            models.Index(
                fields=["district"],
                condition=models.Q(
                    is_receipt_confirmation_needed=True, receipt_confirmed_at__isnull=True
                ),
                name="report_receipt_unconfirmed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="report_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(stated_received_at__isnull=True) | ~Q(stated_received_reason=""),
                name="report_stated_receipt_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(receipt_confirmed_at__isnull=True) | ~Q(receipt_confirmation_note=""),
                name="report_receipt_confirmation_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"Aktualisering {self.pk}"

    @property
    def receipt_at(self) -> datetime:
        """When the report came in: the stated receipt when given, else the registration."""
        return self.stated_received_at or self.received_at

    @property
    def receipt_date(self) -> date:
        """The receipt as a Europe/Stockholm calendar date: day 0 of the clocks."""
        return timezone.localtime(self.receipt_at).date()

    @property
    def is_imported(self) -> bool:
        """Came by historical import from an earlier system (docs/import-format.md)."""
        return bool(self.external_id)

    @property
    def is_receipt_stated(self) -> bool:
        return self.stated_received_at is not None

    @property
    def registered_on(self) -> date:
        """The Europe/Stockholm date the report was registered (the server's time)."""
        return timezone.localtime(self.received_at).date()

    @property
    def is_receipt_awaiting_confirmation(self) -> bool:
        """The stated receipt is far back and no team manager has confirmed it yet."""
        return self.is_receipt_confirmation_needed and self.receipt_confirmed_at is None

    def reporter_for_family(self) -> str:
        """The reporter as anything shown or sent to the family may name them (OSL 26:5).

        Letters, decisions and extracts for the family use this, never `reporter_name`.
        """
        if self.is_reporter_identity_protected or not self.reporter_name:
            return str(_("Uppgift om anmälaren lämnas inte ut"))
        return self.reporter_name


class ReportReason(models.Model):
    """One reason code (report-reasons, A–Y) of a report; a table so statistics can query it."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="reasons")
    code = models.CharField(_("orsak"), max_length=10)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="one_reason_code_per_report")
        ]

    def __str__(self) -> str:
        return self.code


class ReportChild(models.Model):
    """One child named in a report, with the case the report belongs to for that child."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="children")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="report_children")
    # SoL 20:2: a report about a child whose investigation is already open needs no new
    # pre-assessment; it is added to the investigation.
    is_attached_to_open_investigation = models.BooleanField(default=False)
    # The child's case was already in intake or pre-assessment: the running pre-assessment
    # covers this report too (its clock started with the earlier report).
    is_covered_by_running_pre_assessment = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "child"], name="one_row_per_child_and_report")
        ]

    def __str__(self) -> str:
        return f"Aktualisering {self.report_id}, barn {self.child_id}"

    @property
    def receipt_date(self) -> date:
        return self.report.receipt_date


class ProtectiveAction(models.TextChoices):
    """What was done to protect a child who needs immediate protection (SoL 20:1)."""

    LVU_6 = "lvu_6", _("Omedelbart omhändertagande (LVU 6 §)")
    PLACEMENT = "placement", _("Placering med samtycke, till exempel i jourhem")
    OTHER = "other", _("Annan skyddsåtgärd")


class ProtectionAssessment(models.Model):
    """The immediate protection assessment of one report about one child (SoL 20:1).

    When the child needs immediate protection, the team managers of the district are alerted
    and the case is urgent until the protective action taken, and when, is recorded.
    """

    report_child = models.OneToOneField(
        ReportChild, on_delete=models.PROTECT, related_name="protection_assessment"
    )
    performed_at = models.DateTimeField(_("gjord"), auto_now_add=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    information_basis = models.TextField(_("underlag"), blank=True)
    is_immediate_protection_needed = models.BooleanField(_("behov av omedelbart skydd"))
    actions_taken = models.TextField(_("åtgärder"), blank=True)
    rationale = models.TextField(_("bedömning och skäl"))
    protective_action = models.CharField(
        _("skyddsåtgärd"), max_length=20, choices=ProtectiveAction.choices, blank=True
    )
    protective_action_note = models.TextField(_("vad som gjordes"), blank=True)
    # When the action was taken, as the worker states it; kept beside the server's time.
    protective_action_taken_at = models.DateTimeField(
        _("när skyddsåtgärden vidtogs"), null=True, blank=True
    )
    protective_action_recorded_at = models.DateTimeField(
        _("skyddsåtgärden registrerad"), null=True, blank=True
    )
    protective_action_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Filled from a sibling's assessment of the same report and confirmed for this child
    # (services.assess_protection_from_sibling); the decision itself is never copied.
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["performed_at"]
        indexes = [
            # The team managers' alert list starts from these rows (worklists/queries.py).
            models.Index(
                fields=["report_child"],
                condition=Q(
                    is_immediate_protection_needed=True,
                    protective_action_recorded_at__isnull=True,
                ),
                name="protection_action_missing_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(protective_action_recorded_at__isnull=True)
                | (
                    Q(protective_action__in=ProtectiveAction.values)
                    & Q(protective_action_taken_at__isnull=False)
                    & Q(is_immediate_protection_needed=True)
                ),
                name="protective_action_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Skyddsbedömning {self.pk}"

    @property
    def performed_on(self) -> date:
        return timezone.localtime(self.performed_at).date()

    @property
    def is_late(self) -> bool:
        """Made after the day the report came in ("genast" means the same day)."""
        return self.performed_on > self.report_child.receipt_date

    @property
    def is_protective_action_missing(self) -> bool:
        """Immediate protection is needed and no protective action is recorded yet."""
        return self.is_immediate_protection_needed and self.protective_action_recorded_at is None


class Decision(models.TextChoices):
    OPEN = "open", _("Utredning inleds")
    NOT_OPEN = "not_open", _("Utredning inleds inte")
    ALREADY_OPEN = "already_open", _("Utredning pågår redan")


class PreAssessment(SignableDocument):
    """Förhandsbedömning (SoL 20:2): one per case; signing it is the decision.

    `event_on` is the date of the decision (`decided_on`); the decider is the one who signs.
    `received_on` is day 0 of the 14 days: the receipt of the report that started it.
    A correction (`corrects`) may fix the text but never the decision itself.
    """

    CONTENT_FIELDS = (
        "information_obtained",
        "assessment",
        "decision",
        "reasons",
        "exceptional_reasons",
        "early_decision_reason",
    )

    received_on = models.DateField(_("anmälan kom in"))
    information_obtained = models.TextField(_("inhämtad information"), blank=True)
    assessment = models.TextField(_("bedömning"), blank=True)
    decision = models.CharField(_("beslut"), max_length=20, choices=Decision.choices, blank=True)
    reasons = models.TextField(_("skäl för beslutet"), blank=True)
    # "Synnerliga skäl": required when the decision comes after the 14 days.
    exceptional_reasons = models.TextField(_("synnerliga skäl"), blank=True)
    # A decision dated before the report was registered needs a reason, as a stated receipt
    # earlier than the registration does (Report.stated_received_reason).
    early_decision_reason = models.TextField(
        _("skäl till beslutsdatum före registreringen"), blank=True
    )
    # The information obtained was copied from a sibling's pre-assessment (same report):
    # signing then needs this child's own assessment (services.SIBLING_COPY).
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["case_id", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(corrects__isnull=True),
                name="one_pre_assessment_per_case",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values),
                name="pre_assessment_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Förhandsbedömning {self.pk}"

    @property
    def decided_on(self) -> date:
        return self.event_on

    @property
    def decider(self) -> object:
        return self.signed_by


class ContactWho(models.TextChoices):
    """Who may be contacted during a pre-assessment: the child, a guardian, the reporter."""

    CHILD = "child", _("Barnet")
    GUARDIAN = "guardian", _("Vårdnadshavare")
    REPORTER = "reporter", _("Anmälaren")


class PreAssessmentContact(models.Model):
    """A contact made during the pre-assessment (child, guardian or reporter only)."""

    pre_assessment = models.ForeignKey(
        PreAssessment, on_delete=models.PROTECT, related_name="contacts"
    )
    who = models.CharField(_("kontakt med"), max_length=20, choices=ContactWho.choices)
    contacted_on = models.DateField(_("datum för kontakten"))
    summary = models.TextField(_("vad kom fram"))
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contacted_on", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(who__in=ContactWho.values), name="pre_assessment_contact_who_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Kontakt {self.pk}"

    @property
    def is_recorded_late(self) -> bool:
        recorded_on = timezone.localtime(self.recorded_at).date()
        return (recorded_on - self.contacted_on).days > settings.RODTRAD_LATE_RECORDING_DAYS


class ReporterInformationRequest(models.Model):
    """A mandatory reporter asks whether an investigation was opened (SoL 19:6)."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="information_requests"
    )
    requested_on = models.DateField(_("begäran kom in"))
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(_("besvarad"), null=True, blank=True)
    answered_at = models.DateTimeField(_("svar registrerat"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answer_text = models.TextField(_("vad anmälaren fick veta"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["requested_on", "recorded_at"]
        indexes = [
            # The worklists start from the unanswered requests (intake/deadlines.py).
            models.Index(
                fields=["report"],
                condition=Q(answered_on__isnull=True),
                name="info_request_unanswered_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Begäran {self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None
