from django.urls import path

from rodtrad.accounts import views

app_name = "accounts"

urlpatterns = [
    path("logga-in/", views.login_view, name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("tvastegsverifiering/", views.otp_verify, name="otp-verify"),
    path("tvastegsverifiering/aktivera/", views.otp_setup, name="otp-setup"),
    path("anvandare/", views.otp_setup, name="user-list"),
]
