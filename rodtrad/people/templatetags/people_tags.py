"""Shared person components for any page: `{% load people_tags %}`."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.people import queries

register = template.Library()


@register.inclusion_tag("components/protected_network_banner.html")
def protected_network_banner(person: Any) -> dict[str, Any]:
    """The warning that someone around the child has protected personal data (one query).

    Include it on every page that shows a case or a person: `{% protected_network_banner
    case.child %}`. The page has already checked access to the person.

    A page about several children (a report about siblings) passes the list of them:
    `{% protected_network_banner children %}` warns once when any of the children, or anyone
    around one of them, is protected.
    """
    if isinstance(person, list | tuple):
        has_protected = queries.has_protected_person_among_or_around(person)
    else:
        has_protected = queries.has_protected_person_in_network(person)
    return {"has_protected_network": has_protected}
