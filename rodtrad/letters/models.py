"""Documents that leave the system (docs/letters.md).

An `OutgoingDocument` is one document as it was produced for one recipient: the letter or the
printed investigation, its HTML and PDF bytes with their SHA-256, the template and its version
(the SHA-256 of the template source), the recipient's name and address block as printed, and
the secrecy review the handler made before it was produced. It never changes: producing it
again makes a new version that `replaces` the previous one. Only the sending is recorded on
it afterwards, once (`sent_at`, `sent_by`, `channel`, `receipt`), and the day it was received
when that is known (`received_on`), by `letters.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Beslutsbrev")
    COMMUNICATION = "communication", _("Kommuniceringsbrev")
    REPORTER_ANSWER = "reporter_answer", _("Svar till anmälare (SoL 19 kap. 6 §)")
    MEETING = "meeting", _("Kallelse till möte")
    INVESTIGATION = "investigation", _("Utredning (utskrift)")


class Channel(models.TextChoices):
    POST = "post", _("Med post")
    DIGITAL_MAILBOX = "digital_mailbox", _("Digital brevlåda")
    HANDED_OVER = "handed_over", _("Lämnat personligen")


class OutgoingDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outgoing_documents")
    kind = models.CharField(_("slag av dokument"), max_length=20, choices=DocumentKind.choices)
    # What the document is about: a decision, an investigation, or a report (19:6); none for
    # a meeting invitation.
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    investigation = models.ForeignKey(
        "investigation.Investigation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    report = models.ForeignKey(
        "intake.Report", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # One of the case's persons, chosen, never typed; empty when the recipient is the reporter
    # of `report` (19:6) or the committee (an investigation printed for the nämnd).
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # "person:<id>", "reporter:<report id>" or "committee": who the series is for.
    recipient_key = models.CharField(max_length=40)
    # kind, subject and recipient ("decision|decision:12|person:5"): the versions of one
    # document are the rows of one series.
    series_key = models.CharField(max_length=120)
    recipient_name = models.CharField(_("mottagare"), max_length=250)
    # The address block as printed (lines joined by newlines): a protected recipient's says
    # that the letter goes through the Tax Agency's forwarding, never an address.
    recipient_address = models.TextField(_("adress"), blank=True)
    recipient_protection_level = models.CharField(max_length=30, blank=True)
    # What the handler filled in for this kind (the meeting's time and place, the last day to
    # answer a kommunicering); never personal data beyond what the letter prints.
    details = models.JSONField(default=dict, blank=True)
    template_name = models.CharField(max_length=200)
    # SHA-256 of the template sources used (the document's template and the shared layout).
    template_sha256 = models.CharField(max_length=64)
    html = models.TextField()
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True
    )
    # The secrecy review: one entry per finding (key, kind, about, choice "confirm"/"redact").
    secrecy_findings = models.JSONField(default=list, blank=True)
    # The recipient has sekretessmarkering and the handler looked a second time.
    is_marking_confirmed = models.BooleanField(default=False)
    secrecy_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    secrecy_confirmed_at = models.DateTimeField(null=True, blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    produced_at = models.DateTimeField(_("skapat"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    channel = models.CharField(_("hur"), max_length=20, choices=Channel.choices, blank=True)
    # What the mailbox answered (provider, reference, time); empty for post and in person.
    receipt = models.JSONField(default=dict, blank=True)
    # The day the recipient received it (FL 44 §: the appeal's three weeks count from it): the
    # sending day when handed over; for post and the digital mailbox, recorded when known
    # (`letters.services.record_received`), never presumed (docs/letters.md, "Sending").
    received_on = models.DateField(_("mottaget"), null=True, blank=True)

    class Meta:
        ordering = ["-produced_at", "-pk"]
        indexes = [models.Index(fields=["case", "kind"], name="outgoing_document_case_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "series_key", "version"],
                name="outgoing_document_one_version_number",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="outgoing_document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | ~Q(channel=""),
                name="outgoing_document_sent_has_channel",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(sent_at__isnull=False),
                name="outgoing_document_received_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"Dokument {self.pk}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def pdf_filename(self) -> str:
        """No personal data in the file name: the document's id only."""
        return f"dokument-{self.pk}.pdf"
