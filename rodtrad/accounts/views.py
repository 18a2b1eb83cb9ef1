"""Sign-in, sign-out and the second factor. User administration: views_admin.py.

There is no self-service password reset: a user who has forgotten the password asks a system
administrator, who sets a new one (accounts:user-set-password). The login page says so.
"""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts import services
from rodtrad.accounts.forms import TokenForm
from rodtrad.accounts.middleware import needs_second_factor
from rodtrad.accounts.models import User

NEXT_SESSION_KEY = "rodtrad_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """A local path to return to after sign-in, or "" (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _pop_next(request: HttpRequest) -> str:
    return _safe_next(request, request.session.pop(NEXT_SESSION_KEY, "")) or reverse("home")


def signed_in_user(request: HttpRequest) -> User:
    """request.user behind login_required, typed as our User."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _after_password(request: HttpRequest) -> str:
    user = request.user
    if needs_second_factor(user):
        if user_has_device(user, confirmed=True):
            return reverse("accounts:otp-verify")
        return reverse("accounts:otp-setup")
    return _pop_next(request)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Password step. Wrong password, unknown user and inactive user get the same answer."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())  # cycles the session key (S06)
        if next_url:
            request.session[NEXT_SESSION_KEY] = next_url
        return redirect(_after_password(request))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out: the server-side session row is deleted, not only the cookie."""
    logout(request)
    return redirect("accounts:login")


@sensitive_post_parameters("otp_token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step: the six-digit code from the user's authenticator app."""
    user = signed_in_user(request)
    if not needs_second_factor(user):
        return redirect(_pop_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device, throttled = services.verify_second_factor(user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_pop_next(request))
        form.add_error("otp_token", _wrong_code_message(throttled))
    return render(request, "accounts/otp_verify.html", {"form": form})


def _wrong_code_message(throttled: bool) -> str:
    if throttled:
        return _("För många felaktiga försök. Vänta en stund och försök sedan igen.")
    return _(
        "Koden stämmer inte eller har redan använts. Vänta på nästa kod i appen och försök igen."
    )


def _qr_code_svg(device: TOTPDevice) -> str:
    """Inline SVG without style attributes or external references (CSP-safe)."""
    svg = segno.make(device.config_url, error="m", micro=False).svg_inline(
        scale=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        title=_("QR-kod för autentiseringsappen"),
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("otp_token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: only for a user who has no confirmed device yet."""
    user = signed_in_user(request)
    if user_has_device(user, confirmed=True):
        if needs_second_factor(user):
            return redirect("accounts:otp-verify")
        messages.info(
            request,
            _(
                "Tvåstegsverifiering är redan aktiverad. Kontakta systemadministratören om du "
                "behöver byta telefon."
            ),
        )
        return redirect("home")
    device = services.start_totp_enrollment(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_device(device, by=user, token=form.cleaned_data["otp_token"]):
            otp_login(request, device)
            messages.success(request, _("Tvåstegsverifiering är aktiverad."))
            return redirect(_pop_next(request))
        form.add_error("otp_token", _wrong_code_message(throttled=False))
    context = {
        "form": form,
        # segno output: our own markup from the device's otpauth URL, no user-typed text.
        "qr_svg": mark_safe(_qr_code_svg(device)),  # S29-reviewed
        "secret": _grouped_secret(device),
    }
    return render(request, "accounts/otp_setup.html", context)
