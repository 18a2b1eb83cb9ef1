"""Sign-in, sign-out and the second factor. User administration: views_admin.py.

There is no self-service password reset: a user who has forgotten the password asks a system
administrator, who sets a new one (accounts:user-set-password). The login page says so.
"""

from __future__ import annotations

import base64
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from rodtrad.accounts import services
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.forms import ActivationCodeForm, TokenForm
from rodtrad.accounts.middleware import needs_second_factor, session_seconds_left
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
    """Password step. Wrong password, unknown user and inactive user get the same answer, and
    no sooner than RODTRAD_FAILED_SIGN_IN_MIN_SECONDS after the request came (S04)."""
    started = time.monotonic()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())  # cycles the session key (S06)
        if next_url:
            request.session[NEXT_SESSION_KEY] = next_url
        return redirect(_after_password(request))
    response = render(request, "accounts/login.html", {"form": form, "next": next_url})
    if request.method == "POST":
        _answer_no_sooner_than(started + settings.RODTRAD_FAILED_SIGN_IN_MIN_SECONDS)
    return response


def _answer_no_sooner_than(moment: float) -> None:
    """Sleep until `moment` (time.monotonic()): a failed sign-in's answer time then says
    nothing about whether the username exists, whatever each path had to do (S04)."""
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out: the server-side session row is deleted, not only the cookie."""
    logout(request)
    return redirect("accounts:login")


def _session_state(request: HttpRequest) -> JsonResponse:
    """How long the session has left (the server's count, not the browser's clock), when to
    warn, and the current CSRF token: a sign-in in another tab rotates it, and the page's forms
    must post the new one."""
    return JsonResponse(
        {
            **session_seconds_left(request),
            "warn_seconds": settings.RODTRAD_SESSION_WARNING_SECONDS,
            "csrf_token": get_token(request),
        }
    )


@login_required
@require_GET
def session_status(request: HttpRequest) -> HttpResponse:
    """The page's script asks how long is left. Asking is not activity: the middleware leaves
    the idle clock alone for this route. A signed-out script gets 401 (middleware)."""
    return _session_state(request)


@login_required
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """ "Fortsätt vara inloggad": any signed-in request restarts the idle clock (middleware);
    this one does nothing else. The absolute limit cannot be extended."""
    return _session_state(request)


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
        form.add_error("otp_token", services.wrong_code_message(throttled))
    return render(request, "accounts/otp_verify.html", {"form": form})


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


SETUP_KEY_SESSION_KEY = "rodtrad_totp_setup_key"


def _setup_key(request: HttpRequest) -> str:
    """The key this set-up shows, kept in the user's own session until a code confirms it, so
    that a reload shows the same QR code. The device row is only written on POST."""
    key = request.session.get(SETUP_KEY_SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[SETUP_KEY_SESSION_KEY] = key
    return str(key)


def _device_to_show(request: HttpRequest, user: User) -> TOTPDevice:
    """The unconfirmed device if a code was already posted, else an unsaved one to draw."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is not None:
        return pending
    return TOTPDevice(user=user, name=services.TOTP_DEVICE_NAME, key=_setup_key(request))


# The id of the account's pending activation code once this session has shown the code.
ACTIVATION_SESSION_KEY = "rodtrad_activation_code_id"


def _activation_step(request: HttpRequest, user: User) -> HttpResponse | None:
    """While the account has a pending activation code that this session has not shown: the
    page that asks for it (GET), or the answer to the posted code. None: go on to the QR code.
    """
    pending = services.pending_activation_code(user)
    if pending is None:
        return None
    if request.session.get(ACTIVATION_SESSION_KEY) == pending.pk and not pending.is_expired():
        return None
    form = ActivationCodeForm(request.POST if "activation_code" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        accepted = services.accept_activation_code(user, code=form.cleaned_data["activation_code"])
        if accepted is not None:
            request.session[ACTIVATION_SESSION_KEY] = accepted.pk
            return redirect("accounts:otp-setup")
        form.add_error(
            "activation_code",
            _(
                "Koden stämmer inte eller gäller inte längre. Kontrollera den, eller be din "
                "enhetschef om en ny kod."
            ),
        )
    return render(
        request,
        "accounts/activation_code_enter.html",
        {"form": form, "expires_at": pending.expires_at},
    )


@sensitive_post_parameters("otp_token", "activation_code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: only for a user who has no confirmed device yet, and while
    the account waits for activation only after the activation code (docs/security.md)."""
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
    activation = _activation_step(request, user)
    if activation is not None:
        return activation
    activation_code_id = request.session.get(ACTIVATION_SESSION_KEY)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.start_totp_enrollment(
            user, key=_setup_key(request), activation_code_id=activation_code_id
        )
        if services.confirm_totp_device(
            device,
            by=user,
            token=form.cleaned_data["otp_token"],
            activation_code_id=activation_code_id,
        ):
            request.session.pop(SETUP_KEY_SESSION_KEY, None)
            request.session.pop(ACTIVATION_SESSION_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Tvåstegsverifiering är aktiverad."))
            return redirect(_pop_next(request))
        form.add_error("otp_token", services.wrong_code_message(throttled=False))
    device = _device_to_show(request, user)
    context = {
        "form": form,
        # segno output: our own markup from the device's otpauth URL, no user-typed text.
        "qr_svg": mark_safe(_qr_code_svg(device)),  # S29-reviewed
        "secret": _grouped_secret(device),
    }
    return render(request, "accounts/otp_setup.html", context)
