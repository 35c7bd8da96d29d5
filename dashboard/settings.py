"""Reviewdeck settings: every knob comes from the environment, with embedded defaults.

The embedded default (no variables set) uses a SQLite file and a filesystem Celery broker
under ``REVIEWDECK_DATA_DIR`` so ``manage.py serve`` needs no PostgreSQL or Redis.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from dashboard.env import (
    cache_from_url,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
)
from dashboard.private_files import private_dir, private_file, protect_sqlite, write_private
from reviewer.agents.pricing import merge_json
from reviewer.outbound import Policy

django_stubs_ext.monkeypatch()  # lets ModelAdmin[Project] etc. be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("REVIEWDECK_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)


MIN_SECRET_KEY_LENGTH = 50  # what `check --deploy` asks for


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if not env_bool("REVIEWDECK_EMBEDDED", True) and (
            len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5
        ):
            raise ImproperlyConfigured(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters "
                "outside embedded mode (e.g. `openssl rand -hex 32`)"
            )
        return key
    if env_bool("REVIEWDECK_EMBEDDED", True) and not env_bool("REVIEWDECK_REQUIRE_SECRET", False):
        # Local use: generate once and keep it beside the SQLite file, so sessions survive
        # restarts. Deployments (docker-compose) set REVIEWDECK_EMBEDDED=0 and a real key.
        key_file = DATA_DIR / "secret_key"
        private_dir(DATA_DIR)
        if not key_file.exists():
            write_private(key_file, secrets.token_urlsafe(50))
        private_file(key_file)
        return key_file.read_text().strip()
    raise ImproperlyConfigured("SECRET_KEY must be set (or SECRET_KEY_FILE) outside embedded mode")


SECRET_KEY = _secret_key()
EMBEDDED = env_bool("REVIEWDECK_EMBEDDED", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "ninja",  # the API; its Swagger UI files are served from its own static folder
    "reviewer",
    "reviewer.agents",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dashboard.params.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a lockout found during authentication into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context.reviewdeck",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'reviewdeck.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
# The open-findings path index carries INCLUDE columns (an index-only scan on PostgreSQL);
# SQLite, the embedded default, builds it without them, which is harmless there: the
# warning would otherwise print on every command of an embedded install.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if EMBEDDED:
    # The data folder holds session keys and password hashes: the owner's only.
    private_dir(DATA_DIR)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        _sqlite = Path(str(DATABASES["default"]["NAME"])).resolve()
        private_dir(_sqlite.parent)
        protect_sqlite(_sqlite)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django's cache holds the API's rate counters and the summary pages: one for every web
# process. Redis when REVIEWDECK_CACHE_URL names one (docker-compose), "db" for the
# database's table, else files under the data folder (every process of this machine).
CACHES = {"default": cache_from_url(env_str("REVIEWDECK_CACHE_URL", "file"), DATA_DIR)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, records in the database): after
# REVIEWDECK_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is locked out for REVIEWDECK_LOGIN_LOCKOUT_MINUTES (the site's and the admin's
# login alike). A success resets the count; `manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "dashboard.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("REVIEWDECK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("REVIEWDECK_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Password reset mails: at most this many per address and per client address an hour
# (dashboard/password_reset.py); the page answers the same either way.
REVIEWDECK_RESET_MAILS_PER_HOUR = env_int("REVIEWDECK_RESET_MAILS_PER_HOUR", 3)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:projects"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed file names from a manifest (cached forever by browsers): collectstatic
# writes them (the Dockerfile; `serve` runs it at start; the tests once per session).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. No inline script anywhere: htmx is loaded from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not EMBEDDED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS in deployments (all off by default: the embedded run and a plain-HTTP trial).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: the header it sets, "X-Forwarded-Proto" (value "https")
# or "Header-Name=value". Only set it when the proxy always overwrites that header.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env_str("SECURE_PROXY_SSL_HEADER"))
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Celery: JSON only, never pickle. The embedded default is a filesystem broker (no server).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_broker_dir = DATA_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        # Sending a task (Scan now) gives up within a second when Redis is down, so the
        # page answers "queue unavailable" at once; workers keep retrying on their own.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
        "socket_connect_timeout": 3,
    }
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False  # a dead worker's scan is marked failed, not re-run blind
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("REVIEWDECK_SCAN_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_DEFAULT_QUEUE = "scans"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Recovery after a broker outage: workers (at start) and beat (periodically) send again
# queued scans whose message was lost (reviewer/tasks.py). Task modules are found by
# app.autodiscover_tasks() in dashboard/celery.py.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "requeue-orphaned-scans": {"task": "reviewer.requeue_orphaned_scans", "schedule": 120.0},
    "expire-stale-scans": {"task": "reviewer.expire_stale_scans", "schedule": 60.0},
    # Monday 07:00 in TIME_ZONE: before the weekly review meeting.
    "weekly-digests": {
        "task": "reviewer.weekly_digests",
        "schedule": crontab(minute="0", hour="7", day_of_week="1"),
    },
}
# One queue per kind of work, so no kind waits behind another (docs/architecture.md,
# "Queues"): beat's ticks on "schedule" (tiny: each queues a scan), scans on "scans",
# onboarding, history backfills and patches on "backfill" (long: a big repository's
# history never delays a scheduled scan), housekeeping on "maintenance", Claude agent
# runs on "claude". `serve` and the tests' workers consume all of them.
CELERY_TASK_ROUTES = {
    "reviewer.scheduled_scan": {"queue": "schedule"},
    "reviewer.scan_project": {"queue": "scans"},
    "reviewer.backfill_project": {"queue": "backfill"},
    "reviewer.onboard_project": {"queue": "backfill"},
    "reviewer.prepare_patch": {"queue": "backfill"},
    "reviewer.requeue_orphaned_scans": {"queue": "maintenance"},
    "reviewer.expire_stale_scans": {"queue": "maintenance"},
    "reviewer.weekly_digests": {"queue": "maintenance"},
    "reviewer.agents.*": {"queue": "claude"},
}
REVIEWDECK_ALL_QUEUES = "schedule,scans,backfill,maintenance,claude"
CELERY_TIMEZONE = TIME_ZONE

# Reviewdeck's own knobs.
REVIEWDECK_WORKDIR = Path(env_str("REVIEWDECK_WORKDIR", str(DATA_DIR / "repos"))).resolve()
# Local paths are allowed as repository URLs only below these roots ("" = none).
# On by default for the embedded run and tests ("/" = anywhere), off in docker-compose.
REVIEWDECK_LOCAL_REPO_ROOTS = [
    Path(p).resolve() for p in env_list("REVIEWDECK_LOCAL_REPO_ROOTS", ["/"] if EMBEDDED else [])
]
# Hosts (names; ".example.com" includes subdomains) and networks (CIDR) the server may
# reach although they are internal: webhooks and repository URLs are refused on loopback,
# link-local, private and other non-public addresses otherwise (reviewer/outbound.py).
REVIEWDECK_ALLOWED_PRIVATE_HOSTS = env_list("REVIEWDECK_ALLOWED_PRIVATE_HOSTS", [])
try:
    Policy.parse(REVIEWDECK_ALLOWED_PRIVATE_HOSTS)
except ValueError as _exc:
    raise ImproperlyConfigured(f"REVIEWDECK_ALLOWED_PRIVATE_HOSTS: {_exc}") from None
REVIEWDECK_GIT_TIMEOUT = env_int("REVIEWDECK_GIT_TIMEOUT", 120)
# The files of a scanned commit are exported once per machine (reviewer/checkouts.py) and
# removed after this long unused: above the longest task, so no run loses its tree.
REVIEWDECK_TREE_KEEP_SECONDS = env_int("REVIEWDECK_TREE_KEEP_SECONDS", 3600)
# Machines (reviewer/fleet.py): the name of this machine's cache ("" = the host name);
# every worker says it is up every BEAT seconds and prunes its cache every PRUNE seconds
# (clones of deleted projects, clones not fetched for CLONE_KEEP seconds, unused trees).
REVIEWDECK_MACHINE = env_str("REVIEWDECK_MACHINE", "")
REVIEWDECK_MACHINE_BEAT_SECONDS = env_int("REVIEWDECK_MACHINE_BEAT_SECONDS", 30)
REVIEWDECK_MACHINE_STALE_SECONDS = env_int("REVIEWDECK_MACHINE_STALE_SECONDS", 120)
REVIEWDECK_PRUNE_SECONDS = env_int("REVIEWDECK_PRUNE_SECONDS", 3600)
REVIEWDECK_CLONE_KEEP_SECONDS = env_int("REVIEWDECK_CLONE_KEEP_SECONDS", 7 * 86400)
# Send each project's scans to the machine that caches it (consistent hash over the
# machines up now); any scan worker still takes the shared "scans" queue.
REVIEWDECK_ROUTE_SCANS = env_bool("REVIEWDECK_ROUTE_SCANS", False)
# How long a claimed scan waits for another job of its project (a backfill on any
# machine, reviewer/locks.py) before it fails saying so.
REVIEWDECK_LOCK_WAIT_SECONDS = env_int("REVIEWDECK_LOCK_WAIT_SECONDS", 300)
REVIEWDECK_MAX_FILE_BYTES = env_int("REVIEWDECK_MAX_FILE_BYTES", 1_000_000)
# Scans also report the checklist items ruff covers (ruff:CODE findings); off = native only.
REVIEWDECK_RUFF = env_bool("REVIEWDECK_RUFF", True)
REVIEWDECK_SCAN_STALE_SECONDS = env_int("REVIEWDECK_SCAN_STALE_SECONDS", 600)
REVIEWDECK_REQUEUE_AFTER = env_int("REVIEWDECK_REQUEUE_AFTER", 300)
# Digests by email: Django's SMTP backend; the embedded run prints mails to the console.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if env_bool("REVIEWDECK_EMBEDDED", True)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reviewdeck@localhost")
# Fractions are allowed (the tests beat every 0.2 s so a dead worker shows within a second).
REVIEWDECK_HEARTBEAT_SECONDS = env_float("REVIEWDECK_HEARTBEAT_SECONDS", 20)
# A running scan that missed this many heartbeats in a row is declared dead (its worker was
# killed); REVIEWDECK_SCAN_STALE_SECONDS stays an upper bound.
REVIEWDECK_MISSED_BEATS = env_int("REVIEWDECK_MISSED_BEATS", 3)
REVIEWDECK_SCAN_RETRIES = env_int("REVIEWDECK_SCAN_RETRIES", 3)
REVIEWDECK_RETRY_BACKOFF = env_int("REVIEWDECK_RETRY_BACKOFF", 30)
# A pause before each review, in seconds (0 = none; tests use it for a slow scan).
REVIEWDECK_SCAN_DELAY_SECONDS = env_int("REVIEWDECK_SCAN_DELAY_SECONDS", 0)
# Tests only: with a file named here the pause above lasts while that file exists (at
# most the delay), so a test holds a scan mid-way and lets it go when it is ready.
REVIEWDECK_SCAN_HOLD_FILE = env_str("REVIEWDECK_SCAN_HOLD_FILE", "")
# How often pages showing running work (a scan, an onboarding, a patch) ask for news, in
# milliseconds; not from the environment (the browser tests poll faster).
REVIEWDECK_POLL_MS = 2000
REVIEWDECK_PAGE_SIZE = env_int("REVIEWDECK_PAGE_SIZE", 50)
# The JSON API (/api/v1/): requests per token (or browser user), and wrong tokens per
# client address per minute before it answers 429.
REVIEWDECK_API_RATE = env_str("REVIEWDECK_API_RATE", "600/m")
REVIEWDECK_API_BAD_TOKENS_PER_MINUTE = env_int("REVIEWDECK_API_BAD_TOKENS_PER_MINUTE", 30)
# Push webhooks: a delivery id seen within this many seconds is refused as a replay.
REVIEWDECK_WEBHOOK_REPLAY_SECONDS = env_int("REVIEWDECK_WEBHOOK_REPLAY_SECONDS", 86400)

ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env_str("ANTHROPIC_BASE_URL")

# Claude reviews (reviewer/agents). Model ids and prices change often: they live here.
REVIEWDECK_AGENTS_DIR = env_str("REVIEWDECK_AGENTS_DIR")  # more agent files ("" = none)
# Defaults checked on 2026-12-02 against Anthropic's published pages:
#   https://platform.claude.com/docs/en/models/overview (the current lineup: Fable 5.2,
#     released 2026-11-09 at $8/$40, Opus 5.5, Sonnet 5.5, Haiku 5.5),
#   https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input,
#     5-minute cache writes at 1.25x input, cache hits, output; "Batch processing": 50 %),
#   https://platform.claude.com/docs/en/models/haiku-5-5/overview (prompt-length tiers).
# Cache hits are not always 0.1x input: Fable 5.1 0.025x, Fable 5.2 / Opus 5.5 / Sonnet
# 5.5 0.05x (Sonnet 5.5 since 2026-10-07). Haiku 5.5 costs $0.10/$0.50 for a prompt up to
# 100,000 tokens and 5x that on every kind, output included, above (cache reads and
# writes count towards the prompt). Each alias can be pointed elsewhere from the
# environment, and ANTHROPIC_PRICES_JSON adds or changes models ({"model-id": {"input": 3,
# "output": 15, ...}}). A model id without prices is refused (reviewer/agents/pricing.py),
# never priced as another model.
ANTHROPIC_MODEL_ALIASES = {
    "inherit": env_str("ANTHROPIC_DEFAULT_MODEL", "sonnet"),
    "sonnet": env_str("ANTHROPIC_MODEL_SONNET", "claude-sonnet-5-5"),
    "opus": env_str("ANTHROPIC_MODEL_OPUS", "claude-opus-5-5"),
    "haiku": env_str("ANTHROPIC_MODEL_HAIKU", "claude-haiku-5-5"),
    "fable": env_str("ANTHROPIC_MODEL_FABLE", "claude-fable-5-2"),
}


def _price(
    input_: float,
    output: float,
    cache_read: float,
    min_cache: int = 4096,
    *,
    long_prompt: tuple[int, float] | None = None,
) -> dict[str, float]:
    """US dollars per million tokens: 5-minute cache writes at 1.25x input, batches at half;
    ``long_prompt`` = (prompt tokens, factor) for a model priced by prompt length."""
    price = {
        "input": input_,
        "output": output,
        "cache_write": round(input_ * 1.25, 4),
        "cache_read": cache_read,
        "batch": 0.5,
        "min_cache_tokens": min_cache,
    }
    if long_prompt:
        price["long_prompt_tokens"], price["long_prompt_factor"] = long_prompt
    return price


try:
    ANTHROPIC_PRICES = merge_json(
        {
            "claude-fable-5-2": _price(8, 40, 0.2),
            "claude-fable-5-1": _price(10, 50, 0.25),
            "claude-opus-5-5": _price(4, 20, 0.2),
            "claude-sonnet-5-5": _price(2, 10, 0.1),
            "claude-haiku-5-5": _price(0.1, 0.5, 0.01, long_prompt=(100_000, 5)),
            "claude-fable-5": _price(10, 50, 1),
            "claude-opus-5": _price(5, 25, 0.5),
            "claude-opus-4-8": _price(5, 25, 0.5),
            "claude-opus-4-7": _price(5, 25, 0.5),
            "claude-opus-4-6": _price(5, 25, 0.5),
            "claude-opus-4-5": _price(5, 25, 0.5),
            "claude-sonnet-5": _price(2, 10, 0.2),
            "claude-sonnet-4-6": _price(3, 15, 0.3, 2048),
            "claude-sonnet-4-5": _price(3, 15, 0.3, 1024),
            "claude-haiku-4-5": _price(1, 5, 0.1),
        },
        env_str("ANTHROPIC_PRICES_JSON"),
        "ANTHROPIC_PRICES_JSON",
    )
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
# The cheaper model of the verification pass (each finding gets one call trying to refute
# it); "" turns the pass off.
CLAUDE_VERIFY_MODEL = env_str("CLAUDE_VERIFY_MODEL", "haiku")
ANTHROPIC_MAX_RETRIES = env_int("ANTHROPIC_MAX_RETRIES", 4)  # 429/5xx, with backoff
ANTHROPIC_TIMEOUT = env_int("ANTHROPIC_TIMEOUT", 120)
CLAUDE_CONFIDENCE_THRESHOLD = env_int("CLAUDE_CONFIDENCE_THRESHOLD", 70)
CLAUDE_MAX_TOKENS = env_int("CLAUDE_MAX_TOKENS", 4096)  # per response
# Thinking: "" = the model's default (current models think adaptively on their own),
# "adaptive", or a token budget for models that still take one. Thinking blocks always go
# back unchanged in the tool loop.
CLAUDE_THINKING = env_str("CLAUDE_THINKING", "")
CLAUDE_CONVERSATION_CHARS = env_int("CLAUDE_CONVERSATION_CHARS", 60_000)
CLAUDE_BATCH_POLL_SECONDS = env_int("CLAUDE_BATCH_POLL_SECONDS", 60)
# A batch with no result after this long fails (the API expires batches after 24 h).
CLAUDE_BATCH_EXPIRE_HOURS = env_int("CLAUDE_BATCH_EXPIRE_HOURS", 25)
# Budgets (0 = none); a project overrides them in Project.budget {"run": {}, "scan": {},
# "conversation": {}}.
CLAUDE_RUN_BUDGET = {
    "max_turns": env_int("CLAUDE_RUN_MAX_TURNS", 0),
    "max_input_tokens": env_int("CLAUDE_RUN_MAX_INPUT_TOKENS", 1_000_000),
    "max_output_tokens": env_int("CLAUDE_RUN_MAX_OUTPUT_TOKENS", 60_000),
    "max_cost_usd": env_str("CLAUDE_RUN_MAX_COST_USD", "3"),
}
# One conversation (a group of files): past it, that group is not reviewed and the run
# goes on with the next one. The run and scan budgets stop the whole run.
CLAUDE_CONVERSATION_BUDGET = {
    "max_turns": env_int("CLAUDE_CONVERSATION_MAX_TURNS", 40),
    "max_input_tokens": env_int("CLAUDE_CONVERSATION_MAX_INPUT_TOKENS", 0),
}
CLAUDE_SCAN_BUDGET = {
    "max_input_tokens": env_int("CLAUDE_SCAN_MAX_INPUT_TOKENS", 3_000_000),
    "max_output_tokens": env_int("CLAUDE_SCAN_MAX_OUTPUT_TOKENS", 150_000),
    "max_cost_usd": env_str("CLAUDE_SCAN_MAX_COST_USD", "8"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
