from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def person_search(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})
