"""Default settings: safe for development, no secrets.

Order of precedence: these defaults, then ``instance/config.py``, then the environment
(``DATABASE_URL``, ``SECRET_KEY``, ``TIMEZONE``, ``MAIL_*`` and ``VOLUNTEER_*``).
"""

import json
import os
from datetime import timedelta

PLACEHOLDER_SECRETS = {"", "dev", "change-me", "secret"}


class Defaults:
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # database outages (PostgreSQL): requests answer 503 with this Retry-After (seconds); a
    # connection attempt gives up after DATABASE_CONNECT_TIMEOUT seconds and a request waits
    # at most DATABASE_POOL_TIMEOUT seconds for a free pooled connection
    DATABASE_UNAVAILABLE_RETRY_AFTER = 5
    DATABASE_CONNECT_TIMEOUT = 5
    DATABASE_POOL_TIMEOUT = 30
    # a streaming replica (postgresql://…): the dashboards, their exports, /api/v1/stats and the
    # reports' content read from it; everything else uses the primary (core.replica)
    DATABASE_REPLICA_URL = None
    # testing only: answer each request with X-Database: replica|primary (which served its reads)
    DATABASE_REPLICA_HEADER = False
    TIMEZONE = "Asia/Shanghai"

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh_CN", "en"]

    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # the cookie lives as long as the longest idle limit; the server ends sessions sooner
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None
    FORCE_HTTPS = False

    API_TOKEN_TTL_HOURS = 24 * 30
    LOGIN_MAX_FAILURES_PER_PHONE = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    # 报到 (registration) attempts per IP: its 409 phone_taken must not be a free phone oracle
    REGISTER_MAX_PER_IP = 10
    REGISTER_WINDOW_MINUTES = 60
    # 忘记密码: codes asked per phone and per IP within the window, wrong codes per phone
    RESET_CODE_MINUTES = 15
    FORGOT_MAX_PER_PHONE = 3
    FORGOT_MAX_PER_IP = 20
    FORGOT_WINDOW_MINUTES = 60
    RESET_MAX_WRONG_CODES = 5
    RESET_MAX_PER_IP = 30
    # a browser session unused this long ends (server-side; logout ends it at once)
    SESSION_IDLE_HOURS_STAFF = 12
    SESSION_IDLE_DAYS_MEMBER = 30

    # argon2id parameters (argon2-cffi's RFC 9106 low-memory profile by default)
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536
    PASSWORD_PARALLELISM = 4

    PER_PAGE = 20
    MAX_PER_PAGE = 100

    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    MAIL_DEFAULT_SENDER = "通通在 <noreply@tongtong.local>"

    REDIS_URL = None
    # logs: one line per request and per job on stderr, "text" or "json" (LOG_FORMAT=json)
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    # GET /metrics answers only these networks (Prometheus on the machine by default)
    METRICS_ALLOW = ["127.0.0.1/32", "::1/128"]
    PUBLIC_URL = "http://127.0.0.1:5000"  # links in e-mails
    # behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0 = none); the
    # per-IP login throttle and the public request form's limit need the real client address
    PROXY_FIX = 0

    # tasks: cancel cutoff before start, check-in/out window, rotation of the on-site QR code
    TASK_CANCEL_CUTOFF_HOURS = 2
    TASK_CHECKIN_EARLY_MINUTES = 30
    TASK_CHECKOUT_LATE_MINUTES = 120
    TASK_QR_ROTATE_SECONDS = 180

    # wishes: value cap in yuan, 帮帮团 size, days before an unclaimed wish is highlighted
    WISH_MAX_VALUE = 500
    WISH_GROUP_MAX = 10
    WISH_UNCLAIMED_DAYS = 7
    # claims a member may release in 7 days (releasing is how households' identities were
    # harvested: claim, read, release)
    WISH_RELEASE_LIMIT_PER_WEEK = 2
    UPLOAD_MAX_BYTES = 3 * 1024 * 1024

    # residents' requests: public form limit per IP, tracking failures, overdue thresholds
    REQUEST_LIMIT_PER_IP = 5
    REQUEST_LIMIT_WINDOW_MINUTES = 60
    TRACK_MAX_FAILURES_PER_IP = 20
    TRACK_FAILURE_WINDOW_MINUTES = 15
    REQUEST_ACCEPT_HOURS = 24
    REQUEST_DISPATCH_HOURS = 48

    # PIPL retention (months after a request or wish closed; the audit log at least 6)
    REQUEST_CONTACT_RETENTION_MONTHS = 6
    WISH_HOUSEHOLD_RETENTION_MONTHS = 12
    AUDIT_RETENTION_MONTHS = 24
    # imports (/admin/import/…, `volunteer import …`): what reading one sheet may cost, so a
    # small file that unpacks into millions of rows is refused instead of tying up a worker.
    # The file as given (.xlsx packed, or .csv); a web upload is also capped by MAX_CONTENT_LENGTH
    IMPORT_MAX_FILE_BYTES = 32 * 1024 * 1024
    # an .xlsx's members unpacked, and unpacked / packed, as the zip directory declares them
    IMPORT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
    IMPORT_MAX_PACKING_RATIO = 100
    # rows read, blank or not (an import takes at most 50,000 rows with data)
    IMPORT_MAX_SHEET_ROWS = 100_000
    # seconds spent reading the sheet (not importing its rows); below gunicorn's 30 s timeout
    IMPORT_MAX_READ_SECONDS = 15


ENV_NAMES = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "DATABASE_REPLICA_URL": "DATABASE_REPLICA_URL",
    "SECRET_KEY": "SECRET_KEY",
    "TIMEZONE": "TIMEZONE",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "REDIS_URL": "REDIS_URL",
    "LOG_FORMAT": "LOG_FORMAT",
    "LOG_LEVEL": "LOG_LEVEL",
}


def _coerce(raw: str):
    """Read an environment value as JSON where it parses (numbers, booleans), else as text."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(environ=os.environ) -> dict:
    """Settings named in the environment, with ``VOLUNTEER_X`` setting ``X``."""
    found = {}
    for env_name, key in ENV_NAMES.items():
        if environ.get(env_name):
            found[key] = environ[env_name] if key != "MAIL_PORT" else int(environ[env_name])
    for env_name, raw in environ.items():
        if env_name.startswith("VOLUNTEER_") and len(env_name) > len("VOLUNTEER_"):
            found[env_name.removeprefix("VOLUNTEER_")] = _coerce(raw)
    if "MAIL_USE_TLS" in found and isinstance(found["MAIL_USE_TLS"], str):
        found["MAIL_USE_TLS"] = found["MAIL_USE_TLS"].lower() in {"1", "true", "yes"}
    return found
