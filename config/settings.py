"""Rodtrad settings, driven by the environment.

RODTRAD_ENV=production switches on every transport and cookie hardening; anything else is a
development/test set-up on the embedded SQLite file under var/. See docs/deployment.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RODTRAD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


RODTRAD_ENV = os.environ.get("RODTRAD_ENV", "development")
PRODUCTION = RODTRAD_ENV == "production"
# Demo mode lets the generated demo users skip the second factor; the login page says so.
DEMO_MODE = env_bool("RODTRAD_DEMO", False) and not PRODUCTION
# Every user needs TOTP in production; development may switch it off for local work only.
MFA_REQUIRED = True if PRODUCTION else env_bool("RODTRAD_MFA_REQUIRED", True)
DEBUG = False if PRODUCTION else env_bool("RODTRAD_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("RODTRAD_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("RODTRAD_SECRET_KEY must be set in production")
    # Development: one random key per checkout, kept outside the repository.
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(64)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "RODTRAD_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "rodtrad.lib",
    "rodtrad.accounts",
    "rodtrad.journal",
    "rodtrad.frameworks",
    "rodtrad.people",
    "rodtrad.cases",
    "rodtrad.deadlines",
    "rodtrad.intake",
    "rodtrad.investigation",
    "rodtrad.decisions",
    "rodtrad.placements",
    "rodtrad.commissions",
    "rodtrad.followup",
    "rodtrad.letters",
    "rodtrad.stats",
    "rodtrad.audits",
    "rodtrad.api",
    "rodtrad.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rodtrad.lib.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Swedish unless the user chose English; never the browser's Accept-Language.
    "rodtrad.lib.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session limits, which tell the user why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rodtrad.accounts.middleware.SessionLimitsMiddleware",
    "rodtrad.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rodtrad.lib.middleware.NoStoreMiddleware",
    # Axes must be last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "rodtrad.accounts.context_processors.rodtrad",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'rodtrad.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=0 if not PRODUCTION else 60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: concurrent writers queue instead of failing with "database is locked".
    # recursive_triggers: the row a REPLACE removes fires the journal's DELETE trigger (S21);
    # a per-connection setting, so it lives here (journal migration 0003 adds a second guard).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON; PRAGMA recursive_triggers=ON;"
        ),
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        os.environ.get("RODTRAD_TEST_SQLITE", "") or None
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "rodtrad.accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "rodtrad.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "rodtrad.accounts.passwords.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"


def _idle_timeout_seconds() -> int:
    """30 minutes. Development and tests may shorten it (RODTRAD_IDLE_TIMEOUT_SECONDS, at
    least 60) to try the warning and the expiry by hand; production ignores the variable."""
    if PRODUCTION:
        return 30 * 60
    return max(60, int(os.environ.get("RODTRAD_IDLE_TIMEOUT_SECONDS", "") or 30 * 60))


RODTRAD_IDLE_TIMEOUT_SECONDS = _idle_timeout_seconds()
RODTRAD_ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
# The page warns this long before the idle limit ("Fortsätt vara inloggad"); at most half of
# a shortened development limit.
RODTRAD_SESSION_WARNING_SECONDS = min(2 * 60, RODTRAD_IDLE_TIMEOUT_SECONDS // 2)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = RODTRAD_IDLE_TIMEOUT_SECONDS  # idle timeout (also enforced server-side)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock the (username, IP) pair after 3 failures, for 15 minutes; attempts during
# the lockout are refused without restarting the cool-off. rodtrad/accounts/lockout.py adds a
# limit per address across usernames (password spraying).
AXES_FAILURE_LIMIT = 3
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "rodtrad.accounts.lockout.LockoutHandler"
RODTRAD_LOGIN_FAILURES_PER_IP = int(os.environ.get("RODTRAD_LOGIN_FAILURES_PER_IP", "") or 50)
RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS = 60 * 60
# Security events anyone can cause without signing in (CSP reports, failed or token-less
# sign-ins) are journaled one by one up to this many per kind and window, then counted. Tests
# may raise it through the environment (the S37 load test journals every write); production
# ignores the variable.
RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW = (
    10 if PRODUCTION else int(os.environ.get("RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW", "") or 10)
)
RODTRAD_UNAUTHENTICATED_EVENT_WINDOW_SECONDS = 60 * 60
# A failed sign-in is answered no sooner than this many seconds after it arrived (S04): the
# work behind it differs (a real account's failure is always journaled, a made-up name's only
# counted past the budget above), and under load that difference showed in the response time.
# Well above the slowest failure's work; the test suite sets it to 0 except in the S04 tests.
RODTRAD_FAILED_SIGN_IN_MIN_SECONDS = (
    0.5 if PRODUCTION else float(os.environ.get("RODTRAD_FAILED_SIGN_IN_MIN_SECONDS", "") or 0.5)
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "rodtrad.accounts.lockout.lockout_response"  # renders the template, 429
AXES_VERBOSE = False
# The client IP is REMOTE_ADDR; X-Forwarded-For counts only behind RODTRAD_PROXY_COUNT trusted
# proxies, and then only its N-th entry from the right (rodtrad/accounts/lockout.py).
RODTRAD_PROXY_COUNT = int(os.environ.get("RODTRAD_PROXY_COUNT", "0") or 0)
AXES_CLIENT_IP_CALLABLE = "rodtrad.lib.client_ip.client_ip"
# Masked in axes' log lines and stored request data; people type passwords as usernames.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_token", "identity_number"]

OTP_TOTP_ISSUER = "Rodtrad"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "rodtrad" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
# Collected files are only needed (and only served from disk) in production; development
# and tests serve straight from the app directories through whitenoise's finders.
STATIC_ROOT = (
    Path(os.environ.get("RODTRAD_STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "rodtrad.accounts.views_security.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("RODTRAD_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- prefix: Secure, no Domain, Path=/ (cannot be set by a sibling subdomain).
    SESSION_COOKIE_NAME = "__Host-rodtrad-session"
    CSRF_COOKIE_NAME = "__Host-rodtrad-csrf"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": "/csp-report/",
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("RODTRAD_TASKS", "immediate") == "immediate"
        else "django_tasks_db.backend.DatabaseBackend"
    }
}

# --- Logging: technical logs carry no personal data (rule 10) -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "rodtrad.lib.logging.PersonalDataFilter"}},
    "formatters": {
        "plain": {
            "()": "rodtrad.lib.logging.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("RODTRAD_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "rodtrad": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "rodtrad.lib.logging.PersonalDataExceptionReporterFilter"

# --- Journal checkpoints (S22): signed with a key outside the database, stored outside it ---
# The key signs every checkpoint (HMAC-SHA256); it is created on first use with mode 0600 and
# must never be put in the database or the repository. Keep the folder's files on other,
# preferably write-once, storage as well (docs/deployment.md, "The journal").
RODTRAD_CHECKPOINT_KEY_FILE = Path(
    os.environ.get("RODTRAD_CHECKPOINT_KEY_FILE", VAR_DIR / "checkpoint.key")
)
RODTRAD_CHECKPOINT_DIR = Path(os.environ.get("RODTRAD_CHECKPOINT_DIR", VAR_DIR / "checkpoints"))

# Rodtrad's own knobs
RODTRAD_EMERGENCY_ACCESS_MINUTES = 60
RODTRAD_LATE_RECORDING_DAYS = 7
# Counts from 1 to this minus 1 are suppressed in the statistics' tables, with secondary
# suppression (docs/statistics-methods.md, "Small-cell suppression"); 5 inside the municipality.
RODTRAD_STATS_SUPPRESSION_THRESHOLD = 5
# A report's stated receipt more than this many days before its registration is flagged until
# a team manager of the district confirms it with a note (docs/architecture.md, Reports).
RODTRAD_STATED_RECEIPT_MAX_DAYS = int(os.environ.get("RODTRAD_STATED_RECEIPT_MAX_DAYS", "30"))
# An extension of an investigation (SoL 20:3, "för viss tid") may set a last day at most this
# many months after the current last day (docs/deadlines.md, "Extending an investigation").
RODTRAD_EXTENSION_MAX_MONTHS = int(os.environ.get("RODTRAD_EXTENSION_MAX_MONTHS", "6"))
# The provider keeps a commission whose intervention has ended this many days, for its final
# report, and then no longer sees it (docs/red-thread.md, "What the provider sees").
RODTRAD_COMMISSION_AFTER_END_DAYS = int(os.environ.get("RODTRAD_COMMISSION_AFTER_END_DAYS", "30"))
# Follow-up measurements (docs/followup-instruments.md): by which session a series with no
# reliable improvement is raised, and for how many days after an intervention ended its
# ratings may still be recorded.
RODTRAD_FOLLOWUP_WARNING_SESSION = int(os.environ.get("RODTRAD_FOLLOWUP_WARNING_SESSION", "4"))
RODTRAD_FOLLOWUP_DAYS_AFTER_END = int(os.environ.get("RODTRAD_FOLLOWUP_DAYS_AFTER_END", "30"))
# A started placement without a signed care plan and implementation plan is listed as a
# reminder this many days after it started (docs/deadlines.md, "Placements").
RODTRAD_PLACEMENT_PLANS_DAYS = int(os.environ.get("RODTRAD_PLACEMENT_PLANS_DAYS", "30"))

# Documents that leave the system (docs/letters.md). The municipality as the letters name it;
# the demo's values are fictitious.
RODTRAD_MUNICIPALITY_NAME = os.environ.get("RODTRAD_MUNICIPALITY_NAME", "Exempelby kommun")
RODTRAD_MUNICIPALITY_COMMITTEE = os.environ.get(
    "RODTRAD_MUNICIPALITY_COMMITTEE", "Socialnämnden i Exempelby"
)
RODTRAD_MUNICIPALITY_ADDRESS = os.environ.get(
    "RODTRAD_MUNICIPALITY_ADDRESS", "Socialtjänsten|Box 000|000 00 Exempelby"
).split("|")
RODTRAD_MUNICIPALITY_PHONE = os.environ.get("RODTRAD_MUNICIPALITY_PHONE", "000-000 00 00")
RODTRAD_MUNICIPALITY_EMAIL = os.environ.get(
    "RODTRAD_MUNICIPALITY_EMAIL", "socialtjansten@exempelby.example"
)
# Post to a person with skyddad folkbokföring or fingerade personuppgifter goes through the Tax
# Agency's forwarding, never to an address; what the letter says instead (one place for all).
RODTRAD_TAX_AGENCY_FORWARDING = os.environ.get(
    "RODTRAD_TAX_AGENCY_FORWARDING",
    "Skickas via Skatteverkets särskilda postförmedling|Skatteverket, Särskild postförmedling",
).split("|")
# A folder whose letters/documents/<kind>.html (or base.html) replaces the built-in template.
RODTRAD_LETTER_TEMPLATES_DIR = os.environ.get("RODTRAD_LETTER_TEMPLATES_DIR", "")
# The font embedded in every PDF (DejaVu Sans from Debian's fonts-dejavu-core by default).
RODTRAD_LETTER_FONT_DIR = os.environ.get(
    "RODTRAD_LETTER_FONT_DIR", "/usr/share/fonts/truetype/dejavu"
)
RODTRAD_LETTER_FONT_FAMILY = os.environ.get("RODTRAD_LETTER_FONT_FAMILY", "DejaVu Sans")
RODTRAD_LETTER_FONT_REGULAR = os.environ.get("RODTRAD_LETTER_FONT_REGULAR", "DejaVuSans.ttf")
RODTRAD_LETTER_FONT_BOLD = os.environ.get("RODTRAD_LETTER_FONT_BOLD", "DejaVuSans-Bold.ttf")
# The digital mailbox: the file-system one writes the PDF and a receipt under this folder.
RODTRAD_MAILBOX = os.environ.get("RODTRAD_MAILBOX", "rodtrad.letters.mailbox.FileSystemMailbox")
RODTRAD_MAILBOX_DIR = Path(os.environ.get("RODTRAD_MAILBOX_DIR", VAR_DIR / "mailbox"))
