"""The intake part of the case page, for `intake/case_section.html`."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.intake import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def intake_case_section(context: Any, case: Any) -> dict[str, Any]:
    """Reports, protection assessments, the pre-assessment and reporter requests of a case.

    The case page has already checked access to the case and written the access event.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    return queries.case_section(case, user)
