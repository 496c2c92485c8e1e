"""
SpasmLog settings, read from the environment.

Development needs nothing set but DEBUG=1. With DEBUG off the project refuses
to start unless SECRET_KEY and ALLOWED_HOSTS are given.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from xstatic.pkg import bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("development-only"):
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random string of at least 50 characters (or DEBUG=1 for development)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site answers to, comma-separated.")

INSTALLED_APPS = [
    # The floors, lowest first: the project's frame, the audit trail, the diary, the
    # reports and accounts built on it, and sharing. An app's templates win over
    # Django's own (the sign-in pages over the admin's), so these come first.
    "spasmlog",
    "audit",
    "logs",
    "reports",
    "accounts",
    "sharing",
    "reminders",
    "accounts.apps.TwoStepAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "spasmlog.logging.RequestLogMiddleware",
    "spasmlog.middleware.AllowedMethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "spasmlog.middleware.PatientTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "spasmlog.middleware.SessionLimitsMiddleware",
    "spasmlog.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

ROOT_URLCONF = "spasmlog.urls"
WSGI_APPLICATION = "spasmlog.wsgi.application"

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
                "logs.pwa.offline_owner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4) prices an index lookup for spinning disks, so a
    # patient's few hundred episodes were joined to their places by scanning every patient's
    # places. On SSD or in memory a random read costs about what a read in order does.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The limits' counters (accounts.limits), the links' guessing counter and the fitted
# insights, which are small and keyed by their data. In Redis when REDIS_URL is
# set, shared by every process; otherwise each process's own memory, where each
# worker counts on its own (a system check warns of it in production).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }


@checks.register(checks.Tags.caches)
def shared_cache_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if DEBUG or REDIS_URL:
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set: each process keeps its own cache, so the limits on e-mails, "
            "wrong passwords and link guesses are counted per process, not for the whole site.",
            hint="Set REDIS_URL to a Redis database, for example redis://127.0.0.1:6379/0.",
            id="spasmlog.W001",
        )
    ]


# The task queue (huey): e-mails and reminders run in the worker (`manage.py run_huey`), never
# inside a request. Its queue is a SQLite file beside the database by default, so `make run`
# needs no other server, and Redis when REDIS_URL is set, shared by every web machine.
HUEY: dict[str, Any] = {
    "name": "spasmlog",
    "immediate": False,
    "results": False,
    "utc": True,
    "consumer": {"workers": int(os.environ.get("WORKER_THREADS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}}
else:
    TASK_QUEUE_FILE = os.environ.get("TASK_QUEUE_FILE", str(BASE_DIR / "tasks.sqlite3"))
    HUEY |= {"huey_class": "huey.SqliteHuey", "connection": {"filename": TASK_QUEUE_FILE}}

# The site's address as people reach it: the worker, outside any request, builds the links in reminder e-mails from it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Web Push for reminders: a VAPID key pair (`manage.py vapid_keys` makes one) and a contact
# the push services can write to. Without keys, reminders go by e-mail only.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:noreply@localhost")
# The push services of the browsers people use (Chrome, Edge, Firefox, Safari): the worker posts
# only to these, so a subscription cannot aim it at any other machine.
PUSH_SERVICE_DOMAINS = env_list(
    "PUSH_SERVICE_DOMAINS", "googleapis.com,push.services.mozilla.com,push.apple.com,notify.windows.com"
)

AUTH_USER_MODEL = "logs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "logs:quick-log"
LOGOUT_REDIRECT_URL = "login"
# The issuer an authenticator app shows beside a clinician's six-digit code.
OTP_TOTP_ISSUER = "SpasmLog"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "display_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
# The server's zone; each patient's own zone comes from their account.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("bootstrap", bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Nothing is loaded from anywhere but this site. Bootstrap's form controls
# draw their arrows and ticks with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come from inside, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy, the client's address is read from this header (for example
# X-Forwarded-For), counting TRUSTED_PROXIES entries from its right: only what
# the trusted proxies appended is believed. Unset, the connection's own address.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"

# Sessions end after a while idle, and after a while in all, whatever happens.
SESSION_IDLE = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
SESSION_MAX = timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int(SESSION_MAX.total_seconds())

# Sign-in: after 10 failures for one address and e-mail address together, that
# pair waits 15 minutes; others, and the same person elsewhere, are not held up.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "spasmlog.addresses.client_address"
AXES_USERNAME_FORM_FIELD = "username"
# The address as stored, so that Victim@… and victim@… count as one account.
AXES_USERNAME_CALLABLE = "accounts.limits.sign_in_username"
AXES_VERBOSE = False

# Every e-mail is handed to the worker (spasmlog.mail), which sends it with EMAIL_DELIVERY_BACKEND.
EMAIL_BACKEND = "spasmlog.mail.QueuedEmailBackend"
if DEBUG:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SpasmLog <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "spasmlog.logging.JsonFormatter"}},
    # On the one handler, so that every line passes through it whatever wrote it, gunicorn's
    # too (gunicorn.conf.py): a path names its route or hides its secret (NoSecretsFilter).
    "filters": {"no_secrets": {"()": "spasmlog.logging.NoSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["no_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports each step of every PDF, and the page's screen-only CSS it skips.
        "weasyprint": {"level": "ERROR"},
        # fontTools reports every font it subsets for a PDF.
        "fontTools": {"level": "WARNING"},
        # Axes says at INFO what it already keeps in its own tables.
        "axes": {"level": "WARNING"},
        # run_huey adds a plain handler of its own to a "huey" logger that has none: it uses the one handler instead.
        "huey": {"handlers": ["console"], "propagate": False},
        # urllib3 names each address it posts to, and a push endpoint is a secret.
        "urllib3": {"level": "ERROR"},
        # Django's default handlers (the console under DEBUG, e-mail to admins, the development
        # server's lines) would write past the filter: Django's loggers use the one handler too.
        "django": {"handlers": []},
        "django.server": {"handlers": [], "propagate": True},
        # Django's own request warnings say what the request log says already.
        "django.request": {"level": "ERROR"},
        "spasmlog.requests": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
    },
}
