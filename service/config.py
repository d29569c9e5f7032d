"""Configuration classes; every setting comes from the environment with a safe demo default."""

from __future__ import annotations

import os
from pathlib import Path

# A new site's spam thresholds (each site may change its own in the dashboard).
DEFAULT_SPAM_AT = 0.9
DEFAULT_APPROVE_BELOW = 0.2

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("TALKBACK_INSTANCE_DIR", ROOT / "instance"))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_DIR / name}"


class Config:
    """Shared defaults: the embedded demo (SQLite database, SQLite broker) unless told otherwise."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("talkback.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection unused for this long is pinged before use (one round trip);
    # one in steady use is not (service/extensions.py). None: never ping.
    DATABASE_PING_AFTER_IDLE_SECONDS: float | None = _env_float(
        "TALKBACK_DATABASE_PING_AFTER_IDLE_SECONDS", 5
    )
    REDIS_URL = os.environ.get("REDIS_URL", "")
    CELERY_BROKER_URL = os.environ.get(
        "CELERY_BROKER_URL", REDIS_URL or f"sqla+{_sqlite_url('broker.db')}"
    )
    # The longest pause between a worker's attempts to reach a lost broker (Celery's own
    # back-off grows to 30 s); see workers/consumer.py and docs/reliability.md.
    BROKER_RECONNECT_MAX_SECONDS = _env_float("TALKBACK_BROKER_RECONNECT_MAX_SECONDS", 2)
    # `Retry-After` on a 503 (database or broker unreachable): how soon to try again.
    RETRY_AFTER_SECONDS = _env_float("TALKBACK_RETRY_AFTER_SECONDS", 5)
    # Separate queues let several deployments (or test runs) share one Redis.
    CELERY_QUEUE = os.environ.get("TALKBACK_QUEUE", "talkback")
    # Run tasks in-process instead of sending them; only for unit tests.
    TASKS_EAGER = False
    # A comment left in `received` longer than this is sent to the broker again.
    STUCK_AFTER_SECONDS = _env_float("TALKBACK_STUCK_AFTER_SECONDS", 60)
    SWEEP_INTERVAL_SECONDS = _env_float("TALKBACK_SWEEP_INTERVAL_SECONDS", 30)
    # A worker routes up to this many waiting comments in one transaction (see pipeline.py).
    PIPELINE_BATCH_SIZE = int(os.environ.get("TALKBACK_PIPELINE_BATCH_SIZE", 50))
    # On Redis, one message wakes a worker for every comment waiting (service/queue/wake.py);
    # this bounds how long a wake-up that never arrives holds back the next one. 0: one
    # message per comment, as on the other brokers.
    PIPELINE_WAKE_TTL_MS = int(os.environ.get("TALKBACK_PIPELINE_WAKE_TTL_MS", 2000))
    # How long a worker woken that way lets new comments gather before it claims them.
    PIPELINE_WAKE_GATHER_MS = int(os.environ.get("TALKBACK_PIPELINE_WAKE_GATHER_MS", 30))
    MAX_COMMENT_CHARS = int(os.environ.get("TALKBACK_MAX_COMMENT_CHARS", 10_000))
    MAX_CONTENT_LENGTH = 256 * 1024
    # Dashboard import uploads only (site owners); every other request keeps the limit above.
    IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("TALKBACK_IMPORT_UPLOAD_MAX_BYTES", 100 << 20))
    # Authors may edit or delete their own comment for this long.
    EDIT_WINDOW_SECONDS = int(os.environ.get("TALKBACK_EDIT_WINDOW_SECONDS", 15 * 60))
    FORM_TOKEN_MAX_AGE_SECONDS = int(os.environ.get("TALKBACK_FORM_TOKEN_MAX_AGE", 24 * 3600))
    FORM_MIN_SECONDS = _env_float("TALKBACK_FORM_MIN_SECONDS", 3)
    PUBLIC_URL = os.environ.get("TALKBACK_PUBLIC_URL", "")
    # Published threads and counts, rendered once per change: a redis:// URL shared by every
    # process (production), `local` (each process, plus a stamp file in the instance folder
    # that any process rewrites on a change: the embedded demo) or `none`.
    PAGE_CACHE_URL = os.environ.get("TALKBACK_PAGE_CACHE", REDIS_URL or "local")
    # Deployments (and test runs) sharing one Redis use separate queues, so separate pages.
    PAGE_CACHE_PREFIX = os.environ.get("TALKBACK_PAGE_CACHE_PREFIX", CELERY_QUEUE)
    PAGE_CACHE_TTL_SECONDS = int(os.environ.get("TALKBACK_PAGE_CACHE_TTL", 3600))
    PAGE_CACHE_STAMP_NAME = "page-cache.stamp"
    # With Redis, each process also keeps what it read for this long (no round trip for a
    # hot page); a change made through another process shows here within that time.
    PAGE_CACHE_LOCAL_SECONDS = _env_float("TALKBACK_PAGE_CACHE_LOCAL_SECONDS", 1.0)
    # A site's allowed origins (CORS), kept as long by each process: the widget's every
    # request checks them (service/widget/cors.py).
    ORIGINS_CACHE_SECONDS = _env_float("TALKBACK_ORIGINS_CACHE_SECONDS", 1.0)
    # Browsers and CDNs may keep a thread this long; the widget revalidates (a 304) anyway.
    PUBLIC_MAX_AGE_SECONDS = int(os.environ.get("TALKBACK_PUBLIC_MAX_AGE", 10))
    PUBLIC_STALE_WHILE_REVALIDATE_SECONDS = int(os.environ.get("TALKBACK_PUBLIC_SWR", 60))
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (the
    # default) ignores those headers: anyone could send them. See docs/deploy.md.
    TRUSTED_PROXIES = int(os.environ.get("TALKBACK_TRUSTED_PROXIES", 0))
    # Shared limits across gunicorn workers need Redis; the demo is one machine anyway.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Per client address, in the `limits` notation ("20 per minute", "100/hour;5/second").
    COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "20 per minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")
    SHARE_LINKS_RATE_LIMIT = os.environ.get("SHARE_LINKS_RATE_LIMIT", "120 per minute")
    SHARE_CLICK_RATE_LIMIT = os.environ.get("SHARE_CLICK_RATE_LIMIT", "60 per minute")
    # Redis down must not turn a reader's comment into a 500: count in this process meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = (
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        if RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://"))
        else {}
    )
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SPAM_MODEL_DIR = os.environ.get("TALKBACK_SPAM_MODEL_DIR", str(INSTANCE_DIR / "models"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "talkback@localhost")
    # Notifications: e-mailed approve/reject links, the daily digest and per-site webhooks.
    ACTION_LINK_MAX_AGE_SECONDS = int(os.environ.get("TALKBACK_ACTION_LINK_MAX_AGE", 7 * 86400))
    DIGEST_HOUR_UTC = int(os.environ.get("TALKBACK_DIGEST_HOUR_UTC", 7))
    WEBHOOK_TIMEOUT_SECONDS = _env_float("TALKBACK_WEBHOOK_TIMEOUT", 10)
    # Off by default so a site owner cannot point the server at its own private network.
    WEBHOOK_ALLOW_PRIVATE = os.environ.get("TALKBACK_WEBHOOK_ALLOW_PRIVATE", "") == "1"


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    TASKS_EAGER = True
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    FORM_MIN_SECONDS = 0.0
    PAGE_CACHE_URL = os.environ.get("TALKBACK_PAGE_CACHE", "local")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with the demo defaults: they are not secret and not durable."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        url = os.environ.get("DATABASE_URL", "")
        if not url or url.startswith("sqlite"):
            raise RuntimeError("DATABASE_URL must point at a real database in production")
        # E-mailed links (password resets, approve/reject) would otherwise be built from the
        # request's Host header, which whoever asks for a reset mail controls.
        if not os.environ.get("TALKBACK_PUBLIC_URL", "").startswith(("https://", "http://")):
            raise RuntimeError("TALKBACK_PUBLIC_URL (https://...) must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("TALKBACK_ENV", "development")]
