"""Settings shared by every environment.

The database is SQLite by default (nothing to install); set DATABASE_URL to use PostgreSQL,
e.g. ``postgres://postgres@127.0.0.1:5432/test``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "unefois.audit",
    "unefois.people",
    "unefois.facts",
    "unefois.contracts",
    "unefois.declarations",
    "unefois.procedures",
    "ninja",  # serves the API docs' own static files (no CDN)
    "unefois.exchange",
    "unefois.api",
    "unefois.documents",
    "unefois.journeys.capture",
    "unefois.login",
    "unefois.www",
]

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "/connexion/"

# Sign-in with OpenID Connect (unefois.login, see docs/login.md): FranceConnect v2 in production.
# Issuers (discovery at <issuer>/.well-known/openid-configuration):
#   integration: https://fcp-low.integ01.dev-franceconnect.fr/api/v2
#   production:  https://oidc.franceconnect.gouv.fr/api/v2
# client_id and client_secret are given by FranceConnect's partner space for each environment;
# the redirect URI to register is https://<host>/connexion/retour/ and the post-logout one
# https://<host>/. The dev and test settings use the development provider instead ("self").
OIDC_PROVIDER = {
    "issuer": os.environ.get("FRANCECONNECT_ISSUER", ""),
    "client_id": os.environ.get("FRANCECONNECT_CLIENT_ID", ""),
    "client_secret": os.environ.get("FRANCECONNECT_CLIENT_SECRET", ""),
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "unefois.journeys.capture.services.JourneyMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "unefois" / "www" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves several requests at once (pages, the journey script): a
    # writer waits for the lock (WAL lets readers go on) instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's backend, reading the person with the account (unefois.people.auth).
AUTHENTICATION_BACKENDS = ["unefois.people.auth.PersonBackend"]

# Explanations of immutable declaration versions are cached. In memory by default; set
# REDIS_URL (e.g. redis://127.0.0.1:6379/0) to share the cache between processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Sessions: in the database, read through the cache when it is shared (Redis): a page reads
# its session from the cache; a restarted cache loses nothing.
if os.environ.get("REDIS_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Measurement of journeys (unefois.journeys.capture, see docs/journeys.md): first-party,
# pseudonymous, off for a browser sending Do Not Track / Global Privacy Control or whose user
# said no. Events are kept JOURNEYS_RETENTION_DAYS (13 months by default); a case without news
# for JOURNEYS_ABANDON_AFTER_HOURS (7 days, as the analyses assume) is recorded as abandoned.
# Both are applied by `manage.py journeys_housekeeping` (daily).
JOURNEYS_CAPTURE = os.environ.get("JOURNEYS_CAPTURE", "1") != "0"
JOURNEYS_RETENTION_DAYS = int(os.environ.get("JOURNEYS_RETENTION_DAYS", "395"))
JOURNEYS_ABANDON_AFTER_HOURS = int(os.environ.get("JOURNEYS_ABANDON_AFTER_HOURS", "168"))
# The key of the pseudonyms (derived from SECRET_KEY when empty); changing it unlinks the past.
JOURNEYS_PSEUDONYM_KEY = os.environ.get("JOURNEYS_PSEUDONYM_KEY", "")
