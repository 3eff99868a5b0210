"""Abri settings: one module, configured from environment variables only.

Every variable is documented in docs/operations.md. Local secrets (SECRET_KEY, PIN pepper)
are generated into var/ when absent so that `make run` works on a fresh machine; production
must provide them through the environment (`check --deploy` refuses the generated ones).
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ABRI_VAR_DIR", BASE_DIR / "var"))
# Private to the portal's user: it holds the database (and its outbox), generated secrets, e-mail and SMS copies.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret(name: str, env_name: str) -> str:
    """Return a secret from the environment, else one generated once into var/ (local use only)."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("ABRI_DEBUG", False)
ABRI_PRODUCTION = env_bool("ABRI_PRODUCTION", False)
SECRET_KEY = local_secret("secret_key", "SECRET_KEY")
ABRI_PIN_PEPPER = local_secret("pin_pepper", "ABRI_PIN_PEPPER")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "testserver"})
# The demo outbox shows every code and link to anyone: on by default only for a local, non-production run
# (a public host name turns the default off; `check --deploy` fails if it is forced on there: abri.E003).
ABRI_DEMO = env_bool("ABRI_DEMO", not ABRI_PRODUCTION and set(ALLOWED_HOSTS) <= LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
ABRI_BASE_URL = os.environ.get("ABRI_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "abri.core",
    "abri.accounts",
    "abri.contracts",
    "abri.documents",
    "abri.certificates",
    "abri.claims",
    "abri.billing",
    "abri.dunning",
    "abri.notifications",
    "abri.support",
    "abri.portal",
    "abri.backoffice",
    "abri.api",
    "abri.demo",  # seed_demo, seed_scale: management commands only, no models
    # Only for its templates and static files: the /api/v1/docs page then loads Swagger UI from
    # WhiteNoise instead of a CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "abri.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "abri.core.middleware.PersonalPagesNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "abri.core.middleware.RequestIdMiddleware",
    "abri.core.middleware.RejectNulCharactersMiddleware",
    "abri.accounts.middleware.SessionSecurityMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "abri.urls"
WSGI_APPLICATION = "abri.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "abri.core.context_processors.portal",
            ],
            # Every template (pages, e-mails, SMS) writes amounts, dates and labels with the same filters:
            # |eur, |day, |when, |label (abri/core/templatetags/abri.py).
            "builtins": ["abri.core.templatetags.abri"],
        },
    }
]

# --- Database: SQLite (WAL) under var/ by default, PostgreSQL through DATABASE_URL -------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "abri.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
                ),
            },
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"} if env_bool("ABRI_TEST_SQLITE_FILE") else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, task queue: local by default, Redis through REDIS_URL --------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("ABRI_CACHE_PREFIX", "abri"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    INSTALLED_APPS.append("django_rq")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "abri"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }
# Rate-limit counters must be shared by every process (gunicorn workers, app servers): Redis when
# it is there, else the database; never the per-process LocMemCache (abri.core.ratelimit).
ABRI_RATELIMIT_STORE = os.environ.get("ABRI_RATELIMIT_STORE", "cache" if REDIS_URL else "database")
if env_bool("ABRI_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "abri.accounts.backends.CustomerPinBackend",
    "abri.accounts.backends.StaffEmailBackend",
]
PASSWORD_HASHERS = [
    "abri.accounts.hashers.PepperedArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/connexion/"
LOGIN_REDIRECT_URL = "/tableau-de-bord/"
SESSION_COOKIE_AGE = 12 * 3600  # absolute lifetime; idle timeout enforced by middleware
ABRI_SESSION_IDLE_SECONDS = int(os.environ.get("ABRI_SESSION_IDLE_SECONDS", 15 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: counts failures; the portal's own policy (delays, lock) is in accounts.services.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 25
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "abri.accounts.policy.axes_lockout_response"
AXES_USERNAME_FORM_FIELD = "customer_number"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# One notion of the client address for axes, the portal's per-IP limits and the audit log.
AXES_CLIENT_IP_CALLABLE = "abri.core.middleware.client_ip"
ABRI_TRUST_X_FORWARDED_FOR = env_bool("ABRI_TRUST_X_FORWARDED_FOR", False)  # only behind a proxy that sets it
AXES_VERBOSE = False
AXES_PASSWORD_FORM_FIELD = "pin"  # noqa: S105 - a form field name, not a secret; never stored by axes in clear
AXES_SENSITIVE_PARAMETERS = ["pin", "pin_confirm", "current_pin", "code", "totp_code", "password"]
ABRI_LOGIN_IP_MAX_NUMBERS_PER_HOUR = int(os.environ.get("ABRI_LOGIN_IP_MAX_NUMBERS_PER_HOUR", 10))

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
# Dates in words and « 07 h 30 » (abri/core/formats: the same words from |date, |day, |when and Python).
FORMAT_MODULE_PATH = ["abri.core.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("ABRI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-never-served/"  # files go through views that check ownership
STORAGES = {
    "default": {"BACKEND": os.environ.get("ABRI_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "abri.core.storage.StaticStorage"},
}
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Finders let tests and `make dev` serve static files without collectstatic; production serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = not ABRI_PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail and SMS -------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "abri.notifications.backends.OutboxCopyEmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Abri <ne-pas-repondre@abri.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ABRI_SMS_BACKEND = os.environ.get("ABRI_SMS_BACKEND", "abri.notifications.sms.FileSmsBackend")
ABRI_SMS_FILE = VAR_DIR / "sms.log"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if ABRI_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging: never a PIN, OTP, token or IBAN (see abri.core.logging) -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "abri.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ABRI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR", "filters": ["redact"]},
        # runserver's request lines: through the filtered console, not Django's default handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["redact"]},
        "axes": {"level": "WARNING"},
    },
}

# --- Portal --------------------------------------------------------------------------------
ABRI_INSURER_NAME = os.environ.get("ABRI_INSURER_NAME", "Abri Assurances (démo)")
# The letterhead and legal mentions of every letter (abri/documents/layout.py); demo values, fictional numbers
# (01 99 00 xx xx is reserved by ARCEP for fiction). An insurer sets its own.
ABRI_INSURER_LEGAL_FORM = os.environ.get("ABRI_INSURER_LEGAL_FORM",
                                         "Société anonyme au capital de 12 000 000 €")
ABRI_INSURER_ADDRESS = os.environ.get("ABRI_INSURER_ADDRESS", "12 rue de la Paix, 75002 Paris")
ABRI_INSURER_RCS = os.environ.get("ABRI_INSURER_RCS", "RCS Paris 999 999 999")
# Factur-X invoices (EN 16931): the insurer's SIREN (legal registration) and intra-community VAT number
ABRI_INSURER_SIREN = os.environ.get("ABRI_INSURER_SIREN", "999999999")
ABRI_INSURER_VAT_ID = os.environ.get("ABRI_INSURER_VAT_ID", "FR14999999999")
ABRI_INSURER_ORIAS = os.environ.get("ABRI_INSURER_ORIAS", "")  # for an intermediary; an insurer has none
ABRI_INSURER_REGULATOR = os.environ.get(
    "ABRI_INSURER_REGULATOR",
    "Entreprise régie par le Code des assurances, soumise au contrôle de l'Autorité de contrôle prudentiel et de "
    "résolution (ACPR), 4 place de Budapest, CS 92459, 75436 Paris Cedex 09.",
)
ABRI_INSURER_PHONE = os.environ.get("ABRI_INSURER_PHONE", "01 99 00 12 34")
ABRI_INSURER_EMAIL = os.environ.get("ABRI_INSURER_EMAIL", "contact@abri.example")
ABRI_INSURER_WEBSITE = os.environ.get("ABRI_INSURER_WEBSITE", "")  # default: ABRI_BASE_URL
# The insurer's account for transfers (« Payer maintenant » shows it next to card payment); demo: an example IBAN.
ABRI_INSURER_IBAN = os.environ.get("ABRI_INSURER_IBAN", "FR7630006000011234567890189")
ABRI_INSURER_BIC = os.environ.get("ABRI_INSURER_BIC", "")
# Unpaid premiums (L113-3): the formal notice goes by registered mail through this adapter (abri.dunning.registered_mail);
# the default keeps the letters and proofs in files. Terminating for non-payment stays a staff decision unless
# ABRI_DUNNING_AUTO_TERMINATE is set (then the worker terminates 10 days after the suspension).
ABRI_REGISTERED_MAIL_BACKEND = os.environ.get("ABRI_REGISTERED_MAIL_BACKEND",
                                              "abri.dunning.registered_mail.OutboxRegisteredMail")
ABRI_REGISTERED_MAIL_DIR = os.environ.get("ABRI_REGISTERED_MAIL_DIR", "")  # default: MEDIA_ROOT/registered-mail
ABRI_REGISTERED_MAIL_URL = os.environ.get("ABRI_REGISTERED_MAIL_URL", "")
ABRI_REGISTERED_MAIL_TOKEN = os.environ.get("ABRI_REGISTERED_MAIL_TOKEN", "")
ABRI_DUNNING_AUTO_TERMINATE = env_bool("ABRI_DUNNING_AUTO_TERMINATE", False)
# SEPA creditor identifier (ICS, given by the Banque de France); demo: a valid test ICS (ZZZ: no business code).
ABRI_SEPA_CREDITOR_ID = os.environ.get("ABRI_SEPA_CREDITOR_ID", "FR72ZZZ123456")
# Card payments through a payment-service provider (abri.billing.psp): "sandbox" (offline, the default: a
# hosted test page served by Abri under /paiements/sandbox/) or "stripe" (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).
# The sandbox accepts test cards and marks instalments paid without money: demo only (off by default in production,
# and `check --deploy` fails if it is forced on there: abri.E004). No PSP configured: card payment is not offered.
ABRI_PSP = os.environ.get("ABRI_PSP", "sandbox" if ABRI_DEMO else "")
ABRI_PSP_SANDBOX_WEBHOOK_SECRET = local_secret("psp_sandbox_webhook_secret", "ABRI_PSP_SANDBOX_WEBHOOK_SECRET")
# Webhooks older than this (seconds, from their signed timestamp) are refused as replays.
ABRI_PSP_WEBHOOK_TOLERANCE = int(os.environ.get("ABRI_PSP_WEBHOOK_TOLERANCE", 300))
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Public certificate verification (/verifier/): verifications allowed per client address and window (s).
ABRI_VERIFY_RATE_LIMIT = int(os.environ.get("ABRI_VERIFY_RATE_LIMIT", 30))
ABRI_VERIFY_RATE_WINDOW = int(os.environ.get("ABRI_VERIFY_RATE_WINDOW", 600))
ABRI_CLAMAV_SOCKET = os.environ.get("ABRI_CLAMAV_SOCKET", "")
# Fast track: glass or small electrical claims below this amount get an automatic offer (never a refusal).
ABRI_FAST_TRACK_MAX = os.environ.get("ABRI_FAST_TRACK_MAX", "800")
ABRI_MEDIATOR_ADDRESS = os.environ.get(
    "ABRI_MEDIATOR_ADDRESS", "La Médiation de l'Assurance, TSA 50110, 75441 Paris Cedex 09 — www.mediation-assurance.org"
)
# Accessibility statement (/accessibilite/, loi 2005-102 art. 47, décret 2019-768): where people report a barrier.
ABRI_ACCESSIBILITY_CONTACT = os.environ.get("ABRI_ACCESSIBILITY_CONTACT", "accessibilite@abri.example")
ABRI_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("ABRI_WORKER_HEARTBEAT_MAX_AGE", 120))
NINJA_PAGINATION_PER_PAGE = 50
# API rate limits ("<requests>/<s|min|h|d>"): per authenticated login, per address without login.
ABRI_API_RATE_USER = os.environ.get("ABRI_API_RATE_USER", "300/min")
ABRI_API_RATE_ANON = os.environ.get("ABRI_API_RATE_ANON", "60/min")
