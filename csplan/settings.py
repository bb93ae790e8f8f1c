"""Django settings: SQLite in the user's data folder by default, ``DATABASE_URL`` overrides."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def data_dir() -> Path:
    """Where csplan keeps its database and uploads (``CSPLAN_DATA_DIR`` overrides)."""
    configured = os.environ.get("CSPLAN_DATA_DIR")
    if configured:
        path = Path(configured)
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "csplan"
    path.mkdir(parents=True, exist_ok=True)
    return path


DATA_DIR = data_dir()

DEBUG = os.environ.get("CSPLAN_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CSPLAN_SECRET_KEY") or "csplan-local-only-not-for-production"
ALLOWED_HOSTS = [
    h for h in os.environ.get("CSPLAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "csplan.programme",
    "csplan.accounts",
    "csplan.api",
    "csplan.benchmark",
    "csplan.monitoring",
    "csplan.investment",
    "csplan.evidence",
    "csplan.pack",
    "csplan.forecasts",
    "csplan.cases",
    "csplan.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csplan.web.security.SecurityHeadersMiddleware",
    "csplan.web.security.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csplan.web.security.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "csplan.web.plan_resolver.PlanMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "csplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csplan.web.context_processors.csplan",
                "csplan.accounts.context_processors.access",
            ],
        },
    },
]

WSGI_APPLICATION = "csplan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'csplan.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Write transactions take SQLite's write lock when they begin (no upgrade deadlocks between
    # two editors), and WAL lets pages be read while someone saves.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # Tests use a file too: an in-memory database locks whole tables between connections,
    # which is not how csplan runs.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-csplan-{os.getpid()}.sqlite3")}

# Shared by every server process (csplan.core.cache); the table is made by migrate.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "csplan_cache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# govuk-frontend is installed from npm by the set-up script; its dist folder is served as is.
GOVUK_FRONTEND_DIST = PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist"
STATICFILES_DIRS = [path for path in [GOVUK_FRONTEND_DIST] if path.exists()]
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "csplan.web.auth.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind a reverse proxy: the header in which it reports the client's address (for log-in
# throttling), e.g. X-Forwarded-For. Off by default: REMOTE_ADDR is the client.
CSPLAN_TRUSTED_PROXY_HEADER = os.environ.get("CSPLAN_TRUSTED_PROXY_HEADER", "")

# An upload larger than this is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads wait in this process's temporary folder (csplan.core.limits), cleaned at start.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp" / f"p{os.getpid()}")

# Production (CSPLAN_PRODUCTION=1): behind HTTPS, with a real secret key from the environment.
PRODUCTION = os.environ.get("CSPLAN_PRODUCTION", "0") == "1"
if PRODUCTION:
    if not os.environ.get("CSPLAN_SECRET_KEY"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set CSPLAN_SECRET_KEY (50+ random characters) in production")
    DEBUG = False
    SECURE_SSL_REDIRECT = os.environ.get("CSPLAN_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Change reasons can be long (a movement's explanation); PostgreSQL enforces varchar lengths.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
