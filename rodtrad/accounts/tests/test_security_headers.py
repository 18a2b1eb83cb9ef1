"""S27: transport headers and cookies under the production settings."""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from rodtrad.accounts.tests.factories import TEST_PASSWORD

COOKIE_AND_TRANSPORT_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
]

DUMP = f"""
import json, django
from django.conf import settings
django.setup()
print(json.dumps({{name: getattr(settings, name) for name in {COOKIE_AND_TRANSPORT_SETTINGS!r}}}))
"""


def _production_env(tmp_path: Any) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+,-./:;<=>?@[]^_{|}~"
    env = dict(os.environ)
    env.update(
        RODTRAD_ENV="production",
        RODTRAD_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        RODTRAD_ALLOWED_HOSTS="rodtrad.example",
        RODTRAD_VAR_DIR=str(tmp_path / "var"),
        # Outside the var/ folder that holds the SQLite database (journal.E002).
        RODTRAD_CHECKPOINT_KEY_FILE=str(tmp_path / "secrets" / "checkpoint.key"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    for name in ("RODTRAD_DEMO", "RODTRAD_DEBUG", "RODTRAD_MFA_REQUIRED"):
        env.pop(name, None)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory: Any) -> dict[str, Any]:
    result = _run(["-c", DUMP], _production_env(tmp_path_factory.mktemp("production")))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_s27_check_deploy_passes_with_production_settings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key_file", "error"),
    [(None, "journal.E001"), ("var/checkpoint.key", "journal.E002")],
    ids=["not_set", "beside_the_database"],
)
def test_s22_check_deploy_fails_when_the_checkpoint_key_is_not_kept_apart(
    tmp_path, key_file, error
):
    env = _production_env(tmp_path)
    env.pop("DATABASE_URL", None)  # the default: SQLite in RODTRAD_VAR_DIR, on every pass
    if key_file is None:
        del env["RODTRAD_CHECKPOINT_KEY_FILE"]
    else:
        env["RODTRAD_CHECKPOINT_KEY_FILE"] = str(tmp_path / key_file)
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert error in result.stdout + result.stderr


def test_s27_security_headers_and_cookies(db, investigator, production_settings):
    values = production_settings
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")

    with override_settings(**values, ALLOWED_HOSTS=["rodtrad.example"]):
        client = Client(HTTP_HOST="rodtrad.example")
        # Plain HTTP is redirected to HTTPS.
        plain = client.get(reverse("accounts:login"))
        assert plain.status_code == 301
        assert plain["Location"].startswith("https://")

        page = client.get(reverse("accounts:login"), secure=True)
        assert page.status_code == 200
        hsts = page["Strict-Transport-Security"]
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31_536_000
        assert "includeSubDomains" in hsts
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["Referrer-Policy"] == "same-origin"
        assert page["Cross-Origin-Opener-Policy"] == "same-origin"
        assert page["X-Frame-Options"] == "DENY"
        assert page["Cache-Control"] == "no-store"
        _assert_host_cookie(page.cookies, values["CSRF_COOKIE_NAME"], httponly=True)

        signed_in = client.post(
            reverse("accounts:login"),
            {"username": "investigator", "password": TEST_PASSWORD},
            secure=True,
        )
        assert signed_in.status_code == 302
        _assert_host_cookie(signed_in.cookies, values["SESSION_COOKIE_NAME"], httponly=True)

        # State-changing routes refuse GET.
        assert client.get(reverse("accounts:logout"), secure=True).status_code == 405


def _assert_host_cookie(cookies: SimpleCookie, name: str, *, httponly: bool) -> None:
    assert name in cookies, sorted(cookies)
    morsel = cookies[name]
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert not morsel["domain"]  # __Host- cookies must not name a domain
    assert morsel["samesite"] in {"Lax", "Strict"}
    assert bool(morsel["httponly"]) is httponly
