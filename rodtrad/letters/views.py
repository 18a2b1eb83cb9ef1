"""The documents of a case: the list, producing one (with the secrecy step), its page, its
HTML and PDF, and sending it. Every page writes an access event; the HTML and the PDF are
"printed" (AccessAction.PRINTED)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.models import Case
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access
from rodtrad.letters import forms, queries, services
from rodtrad.letters.models import DocumentKind, OutgoingDocument
from rodtrad.lib.forms import apply_service_errors, handle_form

GET_OR_POST = require_http_methods(["GET", "POST"])
KIND_HELP = {
    DocumentKind.DECISION: gettext_lazy(
        "Beslutet till en part, med hur man överklagar när det går."
    ),
    DocumentKind.COMMUNICATION: gettext_lazy("Parten får läsa utredningen och lämna synpunkter."),
    DocumentKind.REPORTER_ANSWER: gettext_lazy(
        "Svar till en anmälare med anmälningsplikt: om en utredning har inletts."
    ),
    DocumentKind.MEETING: gettext_lazy("Kallelse med dag, tid och plats."),
    DocumentKind.INVESTIGATION: gettext_lazy(
        "Hela den signerade utredningen, till nämnden eller en part."
    ),
}
STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _style_sources(html: str) -> list[str]:
    """The CSP sources that allow exactly the document's own style blocks (by hash)."""
    digests = [hashlib.sha256(style.encode()).digest() for style in STYLE.findall(html)]
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


def _with_own_policy(html: str, sources: list[str]) -> str:
    """The document with a policy of its own in its head: its style blocks, nothing else."""
    styles = " ".join(sources) or "'none'"
    policy = f"default-src 'none'; style-src {styles}"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", f"<head>\n{meta}", 1)


def _page(
    request: HttpRequest,
    template: str,
    case: Case,
    route: str,
    context: dict[str, Any],
    *,
    action: str = AccessAction.VIEWED,
) -> HttpResponse:
    grant = access.emergency_access_for(request.user, case)
    record_access(
        by=signed_in_user(request), case=case, route=route, emergency_access=grant, action=action
    )
    return render(request, template, {"case": case, "emergency": grant, **context})


def _printed(request: HttpRequest, document: OutgoingDocument, route: str) -> None:
    record_access(
        by=signed_in_user(request),
        case=document.case,
        route=route,
        action=AccessAction.PRINTED,
        emergency_access=access.emergency_access_for(request.user, document.case),
    )


@login_required
@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    return _page(
        request,
        "letters/document_list.html",
        case,
        "letters:document-list",
        {
            "documents": queries.documents_of_case(case),
            "can_edit": access.can(request.user, "edit_case", case)
            and access.emergency_access_for(request.user, case) is None,
        },
    )


@login_required
@GET_OR_POST
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the kind (links), then the subject and the recipient; the secrecy step comes
    back on the same form when the document says something about others."""
    case = access.get_case_for(request.user, pk, for_edit=True)
    kind = request.POST.get("kind") or request.GET.get("slag") or ""
    if kind not in DocumentKind.values:
        return _page(
            request,
            "letters/document_kind.html",
            case,
            "letters:document-create",
            {"kinds": [(k, k.label, KIND_HELP[k]) for k in DocumentKind]},
        )
    today = timezone.localdate()
    subjects = queries.subjects(case, kind)
    if kind == DocumentKind.REPORTER_ANSWER:
        recipients = [r for s in subjects for r in queries.recipients(case, kind, s, on=today)]
    else:
        recipients = queries.recipients(case, kind, None, on=today)
    form = forms.ProduceForm(
        request.POST or None,
        kind=kind,
        subjects=subjects,
        recipients=recipients,
        initial={"kind": kind},
    )

    def review(exc: services.SecrecyReviewNeeded) -> None:
        form.add_review(exc.findings, second_look=exc.second_look)
        for problem in exc.problems:
            form.add_error(None, problem)
        if exc.unanswered or (exc.second_look and not form.marking_confirmed()):
            form.add_error(
                None,
                _(
                    "Dokumentet innehåller uppgifter som kan vara sekretessbelagda. Pröva varje "
                    "uppgift nedan innan dokumentet skapas."
                ),
            )

    def page(form: forms.ProduceForm, preview: str = "") -> HttpResponse:
        # The preview is the letter's own HTML in a sandboxed frame (srcdoc), which is under
        # this page's policy: the page allows the letter's style block by its hash, and the
        # letter carries its own stricter policy, so that it looks as the PDF does.
        sources = _style_sources(preview) if preview else []
        response = _page(
            request,
            "letters/document_form.html",
            case,
            "letters:document-create",
            {
                "form": form,
                "kind": kind,
                "kind_label": DocumentKind(kind).label,
                "preview": _with_own_policy(preview, sources) if preview else "",
                "has_subjects": bool(subjects),
            },
        )
        if sources:
            response._csp_update = {"style-src": sources}  # type: ignore[attr-defined]
        return response

    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        # A look before producing: the same checks and secrecy step, nothing written.
        try:
            preview = services.preview_document(
                case,
                by=signed_in_user(request),
                kind=kind,
                subject_key=form.cleaned_data["subject"],
                recipient_key=form.cleaned_data["recipient"],
                details=form.details(),
                choices=form.choices(),
                marking_confirmed=form.marking_confirmed(),
            )
        except services.SecrecyReviewNeeded as exc:
            review(exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            form.add_review(preview.findings, second_look=preview.second_look)
            return page(form, preview.html)
        return page(form)

    return handle_form(
        request,
        form,
        save=lambda data: services.produce_document(
            case,
            by=signed_in_user(request),
            kind=kind,
            subject_key=data["subject"],
            recipient_key=data["recipient"],
            details=form.details(),
            choices=form.choices(),
            marking_confirmed=form.marking_confirmed(),
        ),
        success=_("Dokumentet är skapat. Kontrollera det och registrera när det skickas."),
        then=lambda document: reverse("letters:document-detail", args=[document.pk]),
        refused={services.SecrecyReviewNeeded: review},
        field_map={"__all__": "__all__"},
        render=page,
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_document_for(request.user, pk)
    case = document.case
    newer = OutgoingDocument.objects.filter(replaces=document).only("pk").first()
    may_edit = (
        access.can(request.user, "edit_case", case)
        and access.emergency_access_for(request.user, case) is None
    )
    return _page(
        request,
        "letters/document_detail.html",
        case,
        "letters:document-detail",
        {
            "document": document,
            "newer": newer,
            "can_send": not document.is_sent and newer is None and may_edit,
            "can_record_received": document.is_sent and document.received_on is None and may_edit,
            "may_read": queries.may_read_content(request.user, document),
        },
    )


@login_required
@require_GET
def document_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored HTML, exactly as it was turned into the PDF, under its own strict policy:
    its one style block by hash, nothing else loaded."""
    document = queries.get_document_content_for(request.user, pk)
    _printed(request, document, "letters:document-html")
    styles = " ".join(_style_sources(document.html)) or "'none'"
    response = HttpResponse(document.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {styles}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )
    return response


@login_required
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_document_content_for(request.user, pk)
    _printed(request, document, "letters:document-pdf")
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.pdf_filename}"'
    return response


@login_required
@GET_OR_POST
def document_send(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_document_for(request.user, pk)
    case = access.get_case_for(request.user, document.case_id, for_edit=True)
    return handle_form(
        request,
        forms.SendForm(request.POST or None),
        save=lambda data: services.send_document(
            document, by=signed_in_user(request), channel=data["channel"]
        ),
        success=_("Det är registrerat att dokumentet har skickats."),
        then=reverse("letters:document-detail", args=[document.pk]),
        render=lambda form: _page(
            request,
            "letters/document_send.html",
            case,
            "letters:document-send",
            {"form": form, "document": document},
        ),
    )


@login_required
@GET_OR_POST
def document_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The day a sent document reached its recipient, when it is known (docs/letters.md)."""
    document = queries.get_document_for(request.user, pk)
    case = access.get_case_for(request.user, document.case_id, for_edit=True)
    return handle_form(
        request,
        forms.ReceivedForm(request.POST or None),
        save=lambda data: services.record_received(
            document, by=signed_in_user(request), received_on=data["received_on"]
        ),
        success=_("Det är registrerat när mottagaren fick dokumentet."),
        then=reverse("letters:document-detail", args=[document.pk]),
        field_map={"__all__": "__all__"},
        render=lambda form: _page(
            request,
            "letters/document_received.html",
            case,
            "letters:document-received",
            {"form": form, "document": document},
        ),
    )
