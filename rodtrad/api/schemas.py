"""Response schemas: an allow-list of fields; nothing else ever leaves the API (S13)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class ErrorOut(Schema):
    error: str
    message: str = ""


class PersonOut(Schema):
    id: int
    identity_number: str
    identity_kind: str
    given_name: str
    family_name: str
    birth_date: date
    legal_sex: str
    language: str
    needs_interpreter: bool
    protection_level: str
    # None when hidden: a protected person's contact data only reaches named handlers.
    contact_hidden: bool
    street_address: str | None
    postal_code: str | None
    city: str | None
    phone: str | None
    email: str | None
    district: str


class CaseChildOut(Schema):
    id: int
    given_name: str
    family_name: str
    is_protected: bool


class CaseOut(Schema):
    id: int
    status: str
    district: str
    unit: str | None
    child: CaseChildOut
    recorded_at: datetime
    is_emergency_access: bool


class CasePageOut(Schema):
    """One page of the case list: at most `limit` cases (50 at most) from `offset`."""

    count: int  # every case the filters and the search match, not only this page
    limit: int
    offset: int
    items: list[CaseOut]


class CaseSearchIn(Schema):
    """A case search: the text travels in the body, never in the address (S31)."""

    query: str = ""
    status: str = ""
    unit: int | None = None
    responsible: str = ""
    overdue: bool = False
    sort: str = "-recorded_at"
    limit: int = 50
    offset: int = 0
