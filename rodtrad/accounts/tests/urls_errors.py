"""Test-only URLconf: the project's routes plus a view that fails (S24, S40)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def failing_view(request: HttpRequest) -> HttpResponse:
    # A careless developer puts a submitted value in the exception text.
    secret_local = request.POST.get("identity_number", "")
    raise ValueError(f"kunde inte tolka {secret_local} för {request.POST.get('note', '')}")


urlpatterns = [*project_urlpatterns, path("test-fel/", failing_view, name="test-failure")]
