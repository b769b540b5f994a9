"""Louyu settings: one file, every knob an environment variable with a safe default.

README.md lists the variables. `LOUYU_PROFILE=production` turns on the hardened profile, which
refuses to start without SECRET_KEY and passes `manage.py check --deploy`.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LOUYU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("LOUYU_PROFILE", "demo")
if PROFILE not in {"demo", "production"}:
    raise ImproperlyConfigured("LOUYU_PROFILE must be 'demo' or 'production'")
PRODUCTION = PROFILE == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when LOUYU_PROFILE=production")
    # Demo: generate once into a git-ignored file so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Before django.contrib.auth, so its changepassword command (through the password service,
    # which revokes the user's API tokens) replaces Django's.
    "louyu.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "louyu.core.apps.TasksDatabaseConfig",  # django_tasks_db, named for the admin
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_otp",
    "louyu.accounts.apps.OtpTotpConfig",  # django_otp.plugins.otp_totp
    "louyu.accounts.apps.OtpStaticConfig",  # django_otp.plugins.otp_static
    "louyu.accounts.apps.AxesConfig",  # axes
    "louyu.core",
    "louyu.economy",
    "louyu.servicedesk",
    "louyu.party",
    "louyu.notifications",
    "louyu.venues",
    "louyu.messaging",
    "louyu.website",
    "louyu.dashboard",
    "louyu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "louyu.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "louyu.core.middleware.ErrorPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "louyu.accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "louyu.core.exceptions.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "louyu.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "louyu.urls"
WSGI_APPLICATION = "louyu.wsgi.application"
ASGI_APPLICATION = "louyu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "louyu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "louyu.core.context_processors.platform",
                "louyu.notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'louyu.sqlite3'}")
# Persistent connections stay off by default: under ASGI each sync view runs in a new thread, so
# CONN_MAX_AGE > 0 leaks one connection per request (Django ticket #33497; found by bench B2).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("LOUYU_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # The in-process worker writes beside the server: WAL and IMMEDIATE avoid lock errors.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, rate limits ---------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Every key and channel name carries this prefix. Each worker of a parallel test run (pytest-xdist
# names it in PYTEST_XDIST_WORKER) gets its own, so workers sharing one Redis never meet.
CACHE_PREFIX = os.environ.get("LOUYU_CACHE_PREFIX", "louyu") + (
    f"-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "louyu.lib.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": CACHE_PREFIX,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Jobs ---------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LOUYU_WORKER_HEARTBEAT_SECONDS = env_int("LOUYU_WORKER_HEARTBEAT_SECONDS", 10)
# /healthz reports the worker as down when no heartbeat arrived for this long.
LOUYU_WORKER_STALE_SECONDS = env_int("LOUYU_WORKER_STALE_SECONDS", 60)

# --- Accounts and login security (MLPS level 3) -------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "louyu.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOUYU_PASSWORD_MIN_LENGTH = env_int("LOUYU_PASSWORD_MIN_LENGTH", 8)
LOUYU_PASSWORD_MIN_CLASSES = env_int("LOUYU_PASSWORD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": LOUYU_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "louyu.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": LOUYU_PASSWORD_MIN_CLASSES},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("LOUYU_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOUYU_LOCKOUT_MINUTES", 30))
# Two separate parameters: a lockout per account and a lockout per IP address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "louyu.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("LOUYU_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Idle timeout and absolute session lifetime, in seconds.
LOUYU_IDLE_TIMEOUT = env_int("LOUYU_IDLE_TIMEOUT", 30 * 60)
LOUYU_SESSION_MAX_AGE = env_int("LOUYU_SESSION_MAX_AGE", 12 * 60 * 60)
SESSION_COOKIE_AGE = LOUYU_SESSION_MAX_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "louyu_session"
# Staff must confirm a TOTP code after the password in production; optional in the demo.
LOUYU_REQUIRE_2FA = env_bool("LOUYU_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "楼宇社区 Louyu"

# Audit log retention; the law asks for at least six months (183 days).
LOUYU_AUDIT_RETENTION_DAYS = max(183, env_int("LOUYU_AUDIT_RETENTION_DAYS", 400))

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOUYU_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when LOUYU_PROFILE=production")
    SECURE_SSL_REDIRECT = env_bool("LOUYU_SSL_REDIRECT", True)
    # Load balancers and monitors probe app servers directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("LOUYU_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Internationalisation: Chinese first ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "louyu" / "locale"]
LANGUAGE_COOKIE_NAME = "louyu_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored from npm, never a CDN) -----------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LOUYU_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "louyu" / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("LOUYU_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous calls answer 401, not 403.
        "louyu.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only: a form body cannot carry lists, objects or a body that is not an object,
    # and what it cannot carry was silently dropped (the schema fuzz found a list ignored). Uploads
    # and Open311's form posts name their own parsers.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "louyu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "louyu.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "louyu.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("LOUYU_ANON_RATE", "120/min")},
}
# An API create sent again with the same Idempotency-Key within this many hours is answered from
# the first time (louyu/api/idempotency.py).
LOUYU_IDEMPOTENCY_HOURS = env_int("LOUYU_IDEMPOTENCY_HOURS", 24)
# An API token (POST /api/v1/auth/token/) is refused this many days after it was issued.
LOUYU_API_TOKEN_DAYS = env_int("LOUYU_API_TOKEN_DAYS", 30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Louyu 楼宇社区 API",
    "DESCRIPTION": "REST API of the Louyu building-community platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A request's channels, and the subset the API takes (RequestCreateSerializer).
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "louyu.servicedesk.models.Channel.choices",
        "ApiChannelEnum": "louyu.servicedesk.api.serializers.API_CHANNEL_CHOICES",
        "NotificationChannelEnum": "louyu.notifications.api.serializers.WRITABLE_CHANNEL_CHOICES",
    },
    # Every operation's error statuses in the one error shape (louyu/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "louyu.api.schema.error_responses",
    ],
}

# --- Building economy ------------------------------------------------------------------------
# The default 口径 of tax figures (see DEFINITIONS in louyu/economy/selectors/definitions.py) and
# the margin of the 准亿元楼 watch list (0.8: within 80% of the next tier's threshold).
# Imports: a file is measured before it is read (issue #13: one 1.6 KB .xlsx with a cell at
# XFD1048576 made the reader allocate 512 GiB). Rows × columns is the sheet's dense size.
LOUYU_IMPORT_MAX_BYTES = env_int("LOUYU_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
LOUYU_IMPORT_MAX_UNZIPPED = env_int("LOUYU_IMPORT_MAX_UNZIPPED", 400 * 1024 * 1024)
LOUYU_IMPORT_MAX_ROWS = env_int("LOUYU_IMPORT_MAX_ROWS", 200_000)
LOUYU_IMPORT_MAX_COLUMNS = env_int("LOUYU_IMPORT_MAX_COLUMNS", 200)
LOUYU_IMPORT_MAX_CELLS = env_int("LOUYU_IMPORT_MAX_CELLS", 4_000_000)
# The isolated reader process: memory above its start (bytes) and wall time (seconds).
LOUYU_IMPORT_READ_MEMORY = env_int("LOUYU_IMPORT_READ_MEMORY", 1536 * 1024 * 1024)
LOUYU_IMPORT_READ_SECONDS = env_int("LOUYU_IMPORT_READ_SECONDS", 120)
# How many errors a result keeps (page, job state, cache); the total is always counted.
LOUYU_IMPORT_MAX_ERRORS = env_int("LOUYU_IMPORT_MAX_ERRORS", 200)
LOUYU_ECONOMY_DEFINITION = os.environ.get("LOUYU_ECONOMY_DEFINITION", "total")
LOUYU_ECONOMY_WATCH_MARGIN = os.environ.get("LOUYU_ECONOMY_WATCH_MARGIN", "0.8")

# --- Messaging -------------------------------------------------------------------------------
# Edit/delete window for one's own messages (seconds); a service question unanswered this long
# escalates to the building community's managers; attachment limits; retention per channel kind
# ("kind=days,…"; 0 keeps forever).
LOUYU_MESSAGING_EDIT_WINDOW = env_int("LOUYU_MESSAGING_EDIT_WINDOW", 15 * 60)
LOUYU_MESSAGING_ESCALATE_AFTER = env_int("LOUYU_MESSAGING_ESCALATE_AFTER", 30)
LOUYU_MESSAGING_MAX_UPLOAD = env_int("LOUYU_MESSAGING_MAX_UPLOAD", 20 * 1024 * 1024)
LOUYU_MESSAGING_RETENTION = os.environ.get(
    "LOUYU_MESSAGING_RETENTION",
    "direct=730,group=1095,department=1095,building=1095,service=1095,community=1095,"
    "announcement=0",
)

# --- Service center ---------------------------------------------------------------------------
# SLA lights: yellow when this many working days or fewer are left. Escalation: 催办 the day a
# request is overdue, 督办 and 通报 once it is this many working days overdue. Bad-rating
# rectification deadline (5–15 working days locally). Whether 基本满意 counts as satisfied.
LOUYU_SERVICEDESK_YELLOW_DAYS = env_int("LOUYU_SERVICEDESK_YELLOW_DAYS", 1)
LOUYU_SERVICEDESK_SUPERVISE_AFTER = env_int("LOUYU_SERVICEDESK_SUPERVISE_AFTER", 2)
LOUYU_SERVICEDESK_CIRCULATE_AFTER = env_int("LOUYU_SERVICEDESK_CIRCULATE_AFTER", 5)
LOUYU_SERVICEDESK_RECTIFY_DAYS = env_int("LOUYU_SERVICEDESK_RECTIFY_DAYS", 5)
LOUYU_SERVICEDESK_VISIT_INTERVAL_DAYS = env_int("LOUYU_SERVICEDESK_VISIT_INTERVAL_DAYS", 91)
LOUYU_SATISFACTION_INCLUDES_BASIC = env_bool("LOUYU_SATISFACTION_INCLUDES_BASIC", True)
# Days after completion an unrated request's requester is reminded (once) to rate it.
LOUYU_SERVICEDESK_RATING_REMIND_DAYS = env_int("LOUYU_SERVICEDESK_RATING_REMIND_DAYS", 3)
# Notifications: e-mail sender; webhook timeout (seconds) for 企业微信 / 钉钉 group bots.
LOUYU_SERVICEDESK_EMAIL_FROM = os.environ.get("LOUYU_SERVICEDESK_EMAIL_FROM", "louyu@localhost")
LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT = env_int("LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT", 5)

# --- Venues (louyu/venues/) ------------------------------------------------------------------
# Check-in opens this many minutes before a booking starts; a recurring booking has at most
# this many dates; a calendar feed holds events from this many days back to this many ahead.
LOUYU_VENUES_CHECKIN_MINUTES = env_int("LOUYU_VENUES_CHECKIN_MINUTES", 30)
LOUYU_VENUES_SERIES_MAX = env_int("LOUYU_VENUES_SERIES_MAX", 60)
LOUYU_VENUES_FEED_DAYS_BACK = env_int("LOUYU_VENUES_FEED_DAYS_BACK", 30)
LOUYU_VENUES_FEED_DAYS_AHEAD = env_int("LOUYU_VENUES_FEED_DAYS_AHEAD", 365)
# --- Open311 GeoReport v2 (/open311/v2/) -----------------------------------------------------
# Discovery's contact text and endpoint type (production | test); the changeset used before the
# catalog was ever edited; how far (metres) a reported lat/long may be from a building.
LOUYU_OPEN311_CONTACT = os.environ.get("LOUYU_OPEN311_CONTACT", "")
LOUYU_OPEN311_ENDPOINT_TYPE = os.environ.get("LOUYU_OPEN311_ENDPOINT_TYPE", "production")
LOUYU_OPEN311_SINCE = os.environ.get("LOUYU_OPEN311_SINCE", "2026-01-01T00:00:00+08:00")
LOUYU_OPEN311_MATCH_METRES = env_int("LOUYU_OPEN311_MATCH_METRES", 500)

# --- E-mail and notifications (louyu/notifications/) ----------------------------------------
# The demo prints e-mail to the console; the production profile sends through SMTP with these
# settings. Errors are never silenced: a failed delivery is retried, then shown to the admin.
EMAIL_BACKEND = os.environ.get(
    "LOUYU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("LOUYU_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LOUYU_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("LOUYU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LOUYU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LOUYU_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("LOUYU_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("LOUYU_EMAIL_TIMEOUT", 10)
LOUYU_NOTIFICATIONS_EMAIL_FROM = os.environ.get(
    "LOUYU_NOTIFICATIONS_EMAIL_FROM", LOUYU_SERVICEDESK_EMAIL_FROM
)
DEFAULT_FROM_EMAIL = LOUYU_NOTIFICATIONS_EMAIL_FROM
# The site's address, for links in e-mail (notifications store same-site paths).
LOUYU_SITE_URL = os.environ.get("LOUYU_SITE_URL", "http://127.0.0.1:8000")
# SMS gateway and 企业微信 / 钉钉 work-message backend: a dotted class path; the defaults log.
LOUYU_SMS_BACKEND = os.environ.get(
    "LOUYU_SMS_BACKEND", "louyu.notifications.channels.LogSmsBackend"
)
LOUYU_WORK_MESSAGE_BACKEND = os.environ.get(
    "LOUYU_WORK_MESSAGE_BACKEND", "louyu.notifications.channels.LogWorkMessageBackend"
)
# HttpSmsBackend: the gateway's address, bearer token (none if empty) and 短信签名.
LOUYU_SMS_HTTP_URL = os.environ.get("LOUYU_SMS_HTTP_URL", "")
LOUYU_SMS_HTTP_TOKEN = os.environ.get("LOUYU_SMS_HTTP_TOKEN", "")
LOUYU_SMS_SIGN = os.environ.get("LOUYU_SMS_SIGN", "楼宇社区")
# WecomWorkMessageBackend: the 企业微信 API, the corp and the application that sends (its
# secret and AgentId, from the WeCom admin console).
LOUYU_WECOM_BASE_URL = os.environ.get("LOUYU_WECOM_BASE_URL", "https://qyapi.weixin.qq.com")
LOUYU_WECOM_CORP_ID = os.environ.get("LOUYU_WECOM_CORP_ID", "")
LOUYU_WECOM_CORP_SECRET = os.environ.get("LOUYU_WECOM_CORP_SECRET", "")
LOUYU_WECOM_AGENT_ID = env_int("LOUYU_WECOM_AGENT_ID", 0)
# A failed delivery is tried again after base, 4×base, 16×base … seconds, this many times in all.
LOUYU_NOTIFICATIONS_RETRY_SECONDS = env_int("LOUYU_NOTIFICATIONS_RETRY_SECONDS", 60)
LOUYU_NOTIFICATIONS_MAX_ATTEMPTS = env_int("LOUYU_NOTIFICATIONS_MAX_ATTEMPTS", 5)

# --- Demo ------------------------------------------------------------------------------------
LOUYU_DEMO_PASSWORD = os.environ.get("LOUYU_DEMO_PASSWORD", "Louyu@2013demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOUYU_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
