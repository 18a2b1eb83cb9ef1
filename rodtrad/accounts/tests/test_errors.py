"""S40: errors fail safe and leak nothing: generic Swedish 500 page, filtered reports."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter, get_exception_reporter_filter

IDENTITY_NUMBER = "20120314-2382"


@pytest.mark.urls("rodtrad.accounts.tests.urls_errors")
def test_s40_errors_do_not_leak(db, investigator, signed_in):
    assert settings.DEBUG is False
    client = signed_in(investigator)
    client.raise_request_exception = False

    response = client.post(
        "/test-fel/", {"identity_number": IDENTITY_NUMBER, "note": "Orosanmälan om Alva"}
    )

    body = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel" in body
    assert response["X-Request-ID"] in body  # the reference the user gives to support
    for leak in ("Traceback", "ValueError", "kunde inte tolka", IDENTITY_NUMBER, "Alva"):
        assert leak not in body


def test_s40_the_exception_reporter_filter_hides_post_values_and_locals():
    request = RequestFactory().post(
        "/test-fel/", {"identity_number": IDENTITY_NUMBER, "note": "Orosanmälan om Alva"}
    )
    reporter_filter = get_exception_reporter_filter(request)
    hidden = reporter_filter.get_post_parameters(request)
    assert set(hidden) == {"identity_number", "note"}
    assert IDENTITY_NUMBER not in str(hidden.values()) and "Alva" not in str(hidden.values())

    def fail(secret_local: str) -> None:
        raise ValueError("kunde inte tolka värdet")

    try:
        fail(IDENTITY_NUMBER)
    except ValueError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert IDENTITY_NUMBER not in report
    assert "Alva" not in report
    assert settings.SECRET_KEY not in report


def test_an_unknown_page_is_a_swedish_404_with_the_reference(db):
    response = Client().get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
