from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})


def emergency_review_list(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})
