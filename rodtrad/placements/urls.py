from django.urls import path

from rodtrad.placements import views

app_name = "placements"

SEGMENTS = {"care-plan": "vardplan", "implementation-plan": "genomforandeplan"}

urlpatterns = [
    path("<int:pk>/overvagande/", views.review_create, name="review-create"),
    path(
        "<int:pk>/vardnadsoverflyttning/",
        views.custody_consideration_create,
        name="custody-consideration-create",
    ),
]
for kind, segment in SEGMENTS.items():
    urlpatterns += [
        path(f"<int:pk>/{segment}/", views.plan_edit, {"kind": kind}, name=f"{kind}-edit"),
        path(
            f"<int:pk>/{segment}/autospara/",
            views.plan_autosave,
            {"kind": kind},
            name=f"{kind}-autosave",
        ),
        path(f"<int:pk>/{segment}/signera/", views.plan_sign, {"kind": kind}, name=f"{kind}-sign"),
        path(
            f"<int:pk>/{segment}/ratta/", views.plan_correct, {"kind": kind}, name=f"{kind}-correct"
        ),
        path(
            f"<int:pk>/{segment}/revidera/",
            views.plan_revise,
            {"kind": kind},
            name=f"{kind}-revise",
        ),
    ]
