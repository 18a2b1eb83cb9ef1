"""Person endpoints; contact data goes through the same masking as the HTML pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from rodtrad.accounts import access
from rodtrad.api.schemas import ErrorOut, PersonOut
from rodtrad.journal.services import record_access
from rodtrad.people.masking import person_view

router = Router(tags=["people"])


def _text(value: object, hidden: bool) -> str | None:
    return None if hidden else str(value)


@router.get("/persons/{int:pk}", response={200: PersonOut, 404: ErrorOut}, url_name="person-detail")
def get_person(request: HttpRequest, pk: int) -> PersonOut:
    """One person; address and contact data are null for a protected person unless you are
    a named handler."""
    person = access.get_person_for(request.user, pk)
    view = person_view(person, request.user)
    record_access(by=access.signed_in_user(request), person=person, route="api:person-detail")
    hidden = view.contact_hidden
    return PersonOut(
        id=view.pk,
        identity_number=person.identity_number or "",
        identity_kind=view.identity_kind,
        given_name=view.given_name,
        family_name=view.family_name,
        birth_date=view.birth_date,
        legal_sex=view.legal_sex,
        language=view.language,
        needs_interpreter=view.needs_interpreter,
        protection_level=view.protection_level,
        contact_hidden=hidden,
        street_address=_text(view.street_address, hidden),
        postal_code=_text(view.postal_code, hidden),
        city=_text(view.city, hidden),
        phone=_text(view.phone, hidden),
        email=_text(view.email, hidden),
        district=person.district.code,
    )
