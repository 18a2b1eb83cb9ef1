"""Children linked to a person through the records of apps above people.

A child's network and siblings (people.queries.network_of, siblings_of) take in the other
children of the same report. Reports belong to intake, which is above people in the layers
(docs/architecture.md, "Layers"), so intake registers here, when Django starts
(`IntakeConfig.ready`), a function giving the children that share a record with a person;
people asks through `co_recorded_children` and never imports intake. A later phase that links
children (a joint placement, say) registers the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

# person id -> the ids (a `values("child_id")` subquery) of the children sharing a record.
ChildrenSource = Callable[[int], QuerySet[Any]]

_sources: list[ChildrenSource] = []


def register(source: ChildrenSource) -> None:
    """Called by an app at start-up; registering the same function again changes nothing."""
    if source not in _sources:
        _sources.append(source)


def co_recorded_children(person_id: int) -> Q:
    """A filter on Person: the children that share a record (a report) with the person, the
    person included. A subquery per source, so it adds no query where it is used."""
    if not _sources:
        return Q(pk__in=[])
    found = Q(pk__in=_sources[0](person_id))
    for source in _sources[1:]:
        found |= Q(pk__in=source(person_id))
    return found
