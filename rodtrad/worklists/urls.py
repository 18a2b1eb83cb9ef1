"""Deadline routes. Mounted by the root URLconf at `frister/` (config/urls.py)."""

from django.urls import path

from rodtrad.worklists import views

app_name = "deadlines"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
]
