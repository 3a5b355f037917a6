"""Settings for the approval platform: one module, driven by environment variables.

Two profiles come out of the same file:

* default (nothing set): SQLite under ``var/``, Celery tasks run eagerly in-process, DEBUG on,
  so ``make run`` needs nothing but Python;
* production: ``DEBUG=False``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` (PostgreSQL),
  ``CELERY_BROKER_URL`` (Redis) and friends; see docs/operations.md for the full list.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

SOURCE_ROOT = Path(__file__).resolve().parent.parent  # platform/
BASE_DIR = SOURCE_ROOT.parent  # the repository
env = environ.Env()

# Local state of the default profile (SQLite file, uploads, collected static files).
VAR_DIR = Path(env.str("PLATFORM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)
# The committed key signs sessions and tokens only on a developer's machine: with DEBUG off the
# platform refuses to start without a key of its own.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production-8f1c2d"
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else DEVELOPMENT_SECRET_KEY)
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "DEBUG=False 时必须在环境变量 SECRET_KEY 中设置本机专用的密钥（至少50个随机字符，见 docs/operations.md"
        "“安全”一节）；开发用密钥不能用于生产。"
    )
# Former keys still accepted for signatures while a new SECRET_KEY takes over (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Keys of the case log's keyed hash chain (runtime.caselog), separate from SECRET_KEY: "id=key" pairs,
# comma-separated; new entries are sealed with CASE_LOG_KEY_ID (default: the only key), older ids
# stay for verification so keys can rotate (docs/operations.md, "Keys"). Only DEBUG has a default.
CASE_LOG_KEYS = env.dict("CASE_LOG_KEYS", default={"dev": "insecure-development-case-log-key"} if DEBUG else {})
CASE_LOG_KEY_ID = env.str("CASE_LOG_KEY_ID", default=next(iter(CASE_LOG_KEYS), "") if len(CASE_LOG_KEYS) == 1 else "")
if CASE_LOG_KEY_ID not in CASE_LOG_KEYS:
    raise ImproperlyConfigured(
        "CASE_LOG_KEYS 未设置或 CASE_LOG_KEY_ID 不在其中：生产环境须配置办件日志密钥（见 docs/operations.md「Keys」）")
# Keys of the electronic certificates' keyed checksum (runtime.certificates.signature_of), the same
# "id=key" shape and rotation as CASE_LOG_KEYS and separate from both other keys: a leaked
# SECRET_KEY or case-log key forges no certificate. Only DEBUG has a default.
CERTIFICATE_KEYS = env.dict("CERTIFICATE_KEYS", default={"dev": "insecure-development-certificate-key"} if DEBUG else {})
CERTIFICATE_KEY_ID = env.str("CERTIFICATE_KEY_ID",
                             default=next(iter(CERTIFICATE_KEYS), "") if len(CERTIFICATE_KEYS) == 1 else "")
if CERTIFICATE_KEY_ID not in CERTIFICATE_KEYS:
    raise ImproperlyConfigured(
        "CERTIFICATE_KEYS 未设置或 CERTIFICATE_KEY_ID 不在其中：生产环境须配置电子证照签名密钥（见 docs/operations.md「Keys」）")
# Holders are told this many days before a certificate expires (the daily runtime.certificate_expiry).
CERTIFICATE_EXPIRY_NOTICE_DAYS = env.int("CERTIFICATE_EXPIRY_NOTICE_DAYS", default=60)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "accounts.lockout_apps.LockoutConfig",  # django-axes, titled in Chinese
    "csp",
    "django_ratelimit",
    "django_celery_beat",
    # The platform's own apps, bottom layer first (see docs/architecture.md).
    "core",
    "accounts",
    "workdays",
    "rules",
    "designer",
    "runtime",
    "supervision",
    "archives",
    "guides",
]

MIDDLEWARE = [
    # First: answers the load balancer's /healthz before host checks and HTTPS redirects.
    "config.health.HealthCheckMiddleware",
    "config.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (sessions, CSRF): an oversized upload is refused unread.
    "config.uploads.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the size limit has parsed the form and the user is known (for the 400 page's header).
    "config.inputs.InputGuardMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.error_pages.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SOURCE_ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guides.context.first_login_tour",
                "core.navigation.navigation",
            ],
            # {{ url|safe_link }} on every page: a stored link becomes an href only if http(s) or relative
            "builtins": ["core.templatetags.links"],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'platform.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a competing writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Write-ahead log: one fsync per commit instead of the rollback journal's several, still
    # durable (synchronous=FULL syncs the log at every commit). Measured with bench_runtime.py.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the platform's statements are short page queries and set-based sweeps
    # over indexes, and a case list whose cost estimate passed the JIT thresholds spent 380–450 ms
    # of 500 compiling (docs/runtime.md, "Query shapes and indexes"). A statement that would gain
    # can still ``SET LOCAL jit = on``.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://platform"),
    # The throttles' counters (django-ratelimit): shared by every process, so Redis in production.
    "throttles": env.cache_url("THROTTLE_CACHE_URL", default=env.str("CACHE_URL", default="locmemcache://throttles")),
}
RATELIMIT_USE_CACHE = "throttles"
# The public progress query (runtime.throttles): queries naming a case, per client address and per case number.
PROGRESS_QUERY_RATE_PER_ADDRESS = env.str("PROGRESS_QUERY_RATE_PER_ADDRESS", default="30/h")
PROGRESS_QUERY_RATE_PER_CASE = env.str("PROGRESS_QUERY_RATE_PER_CASE", default="10/h")
# Objections to a public notice, per client address (runtime.throttles).
OBJECTION_RATE_PER_ADDRESS = env.str("OBJECTION_RATE_PER_ADDRESS", default="5/h")
# The public certificate verification page (runtime.throttles), per client address.
CERTIFICATE_VERIFY_RATE_PER_ADDRESS = env.str("CERTIFICATE_VERIFY_RATE_PER_ADDRESS", default="60/h")
# django-ratelimit lists only django-redis and memcached as supported; Django's own Redis cache
# increments atomically (INCRBY) as well. Counters in one process's memory are refused in
# production (E003) and enough on a developer's machine.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", *(["django_ratelimit.E003"] if DEBUG else [])]

# --- Accounts and login -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The client's address behind a reverse proxy (core.client): how many proxies in front of the
# platform append to X-Forwarded-For. 0: no proxy, REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Failed logins are throttled per username and address, and per address across usernames
# (django-axes with accounts.login_throttle).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.login_throttle.PairAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SOURCE_ROOT / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [SOURCE_ROOT / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Request bodies (config.uploads): refused over UPLOAD_MAX_REQUEST_MB by their declared length and
# while streaming; form fields other than files at most DATA_UPLOAD_MAX_MEMORY_SIZE; a file over
# FILE_UPLOAD_MAX_MEMORY_SIZE streams to a temporary file instead of memory. The largest material
# an item may accept is 200 MB (designer schema), plus room for the form.
UPLOAD_MAX_REQUEST_MB = env.int("UPLOAD_MAX_REQUEST_MB", default=210)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_HANDLERS = [
    "config.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve straight from the app folders while developing and testing (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- HTTP API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies refused with a 400 naming the field: NUL, NaN/Infinity/1e400, deep nesting (core.inputs)
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
from config.api_docs import DESCRIPTION as API_DESCRIPTION  # noqa: E402

SPECTACULAR_SETTINGS = {
    "TITLE": "网上审批及电子监察平台 API",
    "DESCRIPTION": API_DESCRIPTION,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api_docs.chinese_operations"],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The browsable docs use the swagger-ui assets from the drf-spectacular-sidecar package,
    # served by the platform itself (intranets have no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state"; name each enum after its own choices.
    "ENUM_NAME_OVERRIDES": {
        "ItemStateEnum": "designer.models.ItemState",
        "CaseStateEnum": "runtime.models.CaseState",
        "TaskStateEnum": "runtime.models.TaskState",
        "ApplicantKindEnum": "accounts.models.Applicant.Kind",
    },
}

# --- Celery -----------------------------------------------------------------------------
# No broker configured means the default profile: tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No task is lost with a worker (docs/operations.md, "Workers, and a worker killed mid-task"):
# a task is acknowledged when it has finished, given back when its worker process dies, and a
# message a dead worker held unacknowledged is handed to another worker after the visibility
# timeout. The hard time limit keeps every task shorter than that timeout, so a task that is
# still running is never handed out a second time; every task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=1800)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_VISIBILITY_TIMEOUT * 5 // 6)
# Workers and beat log through LOGGING below (JSON lines in production), not Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat keeps its schedule in the database (config/beat.py says why); no schedule file anywhere.
CELERY_BEAT_SCHEDULER = "config.beat:RegistryScheduler"

# --- Supervision sweep (docs/supervision.md, "Kinds side by side") -----------------------
# Rule kinds a whole sweep judges side by side on PostgreSQL, each on a connection of its own
# (1: one after the other). Two keeps both cores of a small server busy.
SUPERVISION_SWEEP_THREADS = env.int("SUPERVISION_SWEEP_THREADS", default=2)

# --- Supervision notifications (docs/operations.md) ----------------------------------------
# Channels every alert notice goes out through, besides the inbox: console, email, sms.
SUPERVISION_CHANNELS = env.list("SUPERVISION_CHANNELS", default=["console"])
# A person due more alert notices than this from one sweep gets one summary notice instead.
SUPERVISION_DIGEST_OVER = env.int("SUPERVISION_DIGEST_OVER", default=20)
# Email: a django-environ URL, e.g. smtp+tls://user:password@mail.example.gov.cn:587
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="电子监察 <noreply@localhost>")
# SMS: an HTTP gateway taking one JSON POST per message.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="")
SMS_TEMPLATE = env.str("SMS_TEMPLATE", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)

# --- Data exchange delivery (docs/exchange.md) ---------------------------------------------
# outbox (the VAR_DIR/exchange folder, always written) and/or http (the city's endpoint).
EXCHANGE_DELIVERIES = env.list("EXCHANGE_DELIVERIES", default=["outbox"])
EXCHANGE_CITY_URL = env.str("EXCHANGE_CITY_URL", default="")
EXCHANGE_CITY_TOKEN = env.str("EXCHANGE_CITY_TOKEN", default="")
EXCHANGE_CITY_TIMEOUT = env.float("EXCHANGE_CITY_TIMEOUT", default=30.0)

# --- Security (production profile) -------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Behind the reverse proxy (docs/deploy/nginx.conf): it terminates TLS and says so in
# X-Forwarded-Proto, which Django trusts only when told to (the web process must then listen
# on loopback or a private address the proxy alone reaches).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (django-csp): scripts only from this site's static
# files, so an injected <script> or onclick="…" does not run; no plug-ins, no framing, forms post
# only here. Inline styles stay allowed (pygal's SVG charts carry their own <style>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # 'unsafe-hashes' with one hash: the single handler django-import-export's admin export
        # page writes inline (onchange="onSelectToggleChange(event)"); no other inline code runs.
        "script-src": [SELF, "'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logging ----------------------------------------------------------------------------
# json: one JSON object per line (config/logs.py), what a log collector reads; the default in
# production. plain: readable lines for development.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
