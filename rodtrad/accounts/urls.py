from django.urls import path

from rodtrad.accounts import views, views_admin

app_name = "accounts"

urlpatterns = [
    path("logga-in/", views.login_view, name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("sessionen/", views.session_status, name="session-status"),
    path("sessionen/forlang/", views.session_extend, name="session-extend"),
    path("tvastegsverifiering/", views.otp_verify, name="otp-verify"),
    path("tvastegsverifiering/aktivera/", views.otp_setup, name="otp-setup"),
    path("anvandare/", views_admin.user_list, name="user-list"),
    path("anvandare/ny/", views_admin.user_create, name="user-create"),
    path("anvandare/<int:pk>/", views_admin.user_detail, name="user-detail"),
    path("anvandare/<int:pk>/inaktivera/", views_admin.user_deactivate, name="user-deactivate"),
    path("anvandare/<int:pk>/losenord/", views_admin.user_set_password, name="user-set-password"),
    path("anvandare/<int:pk>/roller/", views_admin.membership_add, name="membership-add"),
    path("roller/<int:pk>/avsluta/", views_admin.membership_end, name="membership-end"),
    path("godkannanden/", views_admin.approval_list, name="approval-list"),
    path(
        "rollforslag/<int:pk>/avgor/",
        views_admin.proposal_decide,
        name="membership-proposal-decide",
    ),
    path(
        "anvandare/<int:pk>/aktiveringskod/",
        views_admin.activation_code_issue,
        name="activation-code-issue",
    ),
]
