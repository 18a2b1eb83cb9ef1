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


@register.simple_tag
def sibling_copy_state(sources: Any) -> dict[str, Any]:
    """What the sibling-copy box says: the sources that may be copied from, and each reason
    why not (once each), so that the help text never promises a copy that will be refused."""
    copyable = [source for source in sources if not source.refusal]
    refusals: list[str] = []
    for source in sources:
        if source.refusal and source.refusal not in refusals:
            refusals.append(source.refusal)
    return {"copyable": copyable, "refusals": refusals}
