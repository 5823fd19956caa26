"""Django settings for servicehall.

One settings module; the environment chooses the rest:
- DATABASE_URL: a PostgreSQL URL in production; an SQLite file under var/ by default.
- SERVICEHALL_ENV=production: secure cookies, HSTS, SSL redirect, a required SECRET_KEY.
- SERVICEHALL_REDIS_URL: the rate limits' shared counters in Redis; else in the database.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SERVICEHALL_VAR", PROJECT_DIR / "var"))

ENV = os.environ.get("SERVICEHALL_ENV", "development")
PRODUCTION = ENV == "production"
# Tracebacks only when asked for (SERVICEHALL_DEBUG=1): the demo shows people error pages.
DEBUG = os.environ.get("SERVICEHALL_DEBUG", "0") == "1"


def _own_secret(path: Path) -> str:
    """A secret made on first run and kept in var/: signed links, device credentials and
    encrypted phones never rest on a key published with the code."""
    import secrets

    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(50)
        try:  # written whole, then linked: two processes starting at once read one secret
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secret)
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # a production server must not run on a known key
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _own_secret(VAR_DIR / "secret_key")
# Personal data kept for a purpose (a call-back phone) is encrypted with a key derived from
# SECRET_KEY and this salt (django-fernet-encrypted-fields). A rotated SECRET_KEY goes first,
# the old one into SECRET_KEY_FALLBACKS, so stored values stay readable.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
SALT_KEY = os.environ.get("SERVICEHALL_FIELD_SALT", "servicehall-personal-data")

ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "auditlog",
    "servicehall.web.apps.AxesConfig",  # django-axes, its name translated
    "ninja",  # Swagger UI from its own static files, never a CDN (the docs work offline)
    "servicehall.core",
    "servicehall.web",
    "servicehall.audit",
    "servicehall.org",
    "servicehall.notices",
    "servicehall.violations",
    "servicehall.worktime",
    "servicehall.catalog",
    "servicehall.cases",
    "servicehall.queueing",
    "servicehall.feedback",
    "servicehall.complaints",
    "servicehall.hotline",
    "servicehall.supervision",
    "servicehall.rollups",
    "servicehall.jobs",  # the jobs runner: on top, it imports every app's tasks.py
    "servicehall.demo",  # the top layer: the demo city's data and seeding
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "servicehall.web.middleware.DocumentCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "servicehall.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "servicehall.web.middleware.BadParameterMiddleware",
    "servicehall.web.middleware.ServiceErrorMiddleware",
    "servicehall.web.middleware.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "servicehall.web.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts only from our own files, never inline; pages
# with a live stream add the event server's origin to connect-src (queueing.views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # style attributes only; no script
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page uses the camera, microphone,
# location, payment or USB, so none may, nor a frame inside it.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

ROOT_URLCONF = "servicehall.urls"
WSGI_APPLICATION = "servicehall.wsgi.application"
ASGI_APPLICATION = "servicehall.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicehall.web.context.servicehall",
            ],
        },
    },
]

# SQLite by default (zero set-up); PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'servicehall.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue
    # behind the busy timeout instead of failing halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too, not shared-cache memory: the live server, the event server and
    # the test share it across threads, and only a file gives them WAL and the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-servicehall.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors bind on the client and never prepare; servicehall.core.db.fetch_prepared
    # asks for a prepared statement, which psycopg gives only with a threshold set.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
# R-LAW-2: in production the application connects as a role that owns nothing (see
# docs/operations.md); `migrate`, run as the owner, then grants it its privileges.
DB_APP_ROLE = os.environ.get("SERVICEHALL_DB_APP_ROLE", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: 5 failures lock the username+address pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind the TLS proxy every request comes from the proxy's address: with the number of
# trusted proxies in front (SERVICEHALL_TRUSTED_PROXY_COUNT), the client's address is the one
# the outermost of them added to X-Forwarded-For, else the connection's (a client's own header
# is never believed), so a lock-out hits the attacker's address, not every user of that name.
TRUSTED_PROXY_COUNT = int(os.environ.get("SERVICEHALL_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "servicehall.core.http.client_ip"

# Rate limits on public writes and look-ups (servicehall.core.ratelimits, decision 0016). The
# counters are shared by every worker process: in Redis when SERVICEHALL_REDIS_URL is set
# (production), else in the database's counter table (the demo on a machine with only Python).
REDIS_URL = os.environ.get("SERVICEHALL_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "servicehall",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "servicehall.core.counters.CounterCache"}
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_CACHE_PREFIX = "rl:"
# A store that does not answer lets requests through (and logs it): a hall whose kiosk stops
# when Redis restarts is worse than a minute without limits (decision 0016).
RATELIMIT_FAIL_OPEN = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# A fresh clone has no var/: the SQLite file, collected static files and media need their
# folders before the first command opens them.
for _folder in (VAR_DIR, STATIC_ROOT, MEDIA_ROOT):
    try:
        _folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"cannot create {_folder} (SERVICEHALL_VAR): {exc}") from exc
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Who did what: auditlog records every create, change and delete (see servicehall.audit).
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Security baseline; production adds what needs HTTPS.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 12 * 3600  # one working day; window staff sign in each morning
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "servicehall.core.masking.MaskingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal_data"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SERVICEHALL = {
    # R-ORG-3: a household station above this many registered residents may add auxiliaries.
    "AUXILIARY_POPULATION_THRESHOLD": 10_000,
    "AUXILIARY_MAX": 2,
    "SERVE_MEDIA": os.environ.get("SERVICEHALL_SERVE_MEDIA", "1") == "1",
    "SUPERVISION_PHONE": os.environ.get("SERVICEHALL_SUPERVISION_PHONE", "12345"),
    # The address citizens reach the hall at, for QR codes and printed links, e.g.
    # "https://zwfw.kaifeng.gov.cn"; empty means the host the request came to.
    "PUBLIC_URL": os.environ.get("SERVICEHALL_PUBLIC_URL", "").rstrip("/"),
    # Where boards find the event server: empty means this host on PORT + 1 (what
    # `servicehall serve` starts); behind a proxy, e.g. "/events".
    "EVENTS_URL": os.environ.get("SERVICEHALL_EVENTS_URL", ""),
    # R-LAW-2: a rating at or below this level is a bad review and opens its follow-up
    "BAD_REVIEW_LEVEL": int(os.environ.get("SERVICEHALL_BAD_REVIEW_LEVEL", "2")),
    # R-LAW-2: a visit not rated within this many days counts as unrated (some rules: satisfied)
    "RATING_LINK_DAYS": int(os.environ.get("SERVICEHALL_RATING_LINK_DAYS", "7")),
    # R-LAW-2 as some regions apply it: a visit still unrated when its link expires counts as
    # 满意 in the figures (never by writing a rating); off unless set to 1
    "UNRATED_AS_SATISFIED": os.environ.get("SERVICEHALL_UNRATED_AS_SATISFIED", "0") == "1",
    # R-FB-1: the window's rating device takes a rating this many minutes after the visit
    # finished; later, the citizen rates through the link on the slip
    "RATING_DEVICE_MINUTES": int(os.environ.get("SERVICEHALL_RATING_DEVICE_MINUTES", "30")),
    # R-LAW-2: the ratings chain's signed checkpoints, outside the database (append-only)
    "RATING_CHECKPOINTS": os.environ.get(
        "SERVICEHALL_RATING_CHECKPOINTS", str(VAR_DIR / "rating-checkpoints.jsonl")
    ),
    # R-SUP-3: the violation-points ledger's signed checkpoints, outside the database
    # evidence of inspections and rectification: never under MEDIA_ROOT, which /media/ serves
    "PRIVATE_MEDIA": os.environ.get("SERVICEHALL_PRIVATE_MEDIA", str(VAR_DIR / "private")),
    # R-SUP-2: the largest photo an inspector's phone may send, and how many per norm
    "INSPECTION_PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "INSPECTION_PHOTOS_PER_ITEM": 3,
    # R-SUP-3: the largest evidence file (a photo or a PDF) a unit may attach to its answer
    "NOTICE_EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    "VIOLATION_CHECKPOINTS": os.environ.get(
        "SERVICEHALL_VIOLATION_CHECKPOINTS", str(VAR_DIR / "violation-checkpoints.jsonl")
    ),
    # a rating device's one-time pairing code is valid this long
    "DEVICE_PAIRING_MINUTES": int(os.environ.get("SERVICEHALL_DEVICE_PAIRING_MINUTES", "15")),
    # R-Q-3: staff arrive this many minutes early and sign in; sign-in opens this early
    "SIGN_IN_EARLY_MINUTES": int(os.environ.get("SERVICEHALL_SIGN_IN_EARLY_MINUTES", "10")),
    # R-Q-3: away from the window longer than this is reported to the No. 1 window: a longer
    # pause needs the duty lead's approval, and a window unstaffed this long calls its B
    "LONG_PAUSE_MINUTES": int(os.environ.get("SERVICEHALL_LONG_PAUSE_MINUTES", "10")),
    # R-CASE-4: the green channel is served "以最快速度" (as fast as possible): a window gives
    # at least one of every GREEN_EVERY calls to the oldest green-channel ticket waiting in any
    # queue it calls. 1: every call, while one waits (the seed's rule); 3: one call in three;
    # 0: no precedence, a green ticket waits its queue's turn by the call rules' weights.
    "GREEN_EVERY": int(os.environ.get("SERVICEHALL_GREEN_EVERY", "1")),
    # R-Q-1: a checked-in appointment is called at its slot, before walk-ins, from this many
    # minutes before the slot's start ...
    "APPOINTMENT_EARLY_MINUTES": int(os.environ.get("SERVICEHALL_APPOINTMENT_EARLY_MINUTES", "10")),
    # ... if it checked in no later than this many minutes after the start; later, a walk-in
    "APPOINTMENT_LATE_MINUTES": int(os.environ.get("SERVICEHALL_APPOINTMENT_LATE_MINUTES", "15")),
    # R-TIME-5: tickets and sign-in only in the unit's hours (24-hour units always)
    "OPENING_HOURS_ENFORCED": os.environ.get("SERVICEHALL_OPENING_HOURS", "1") == "1",
    # Each worker trusts an API token it has checked for this long: a console calls many
    # times a minute. A revoked token or deactivated account stops within it (decision 0009).
    "TOKEN_CACHE_SECONDS": float(os.environ.get("SERVICEHALL_TOKEN_CACHE_SECONDS", "10")),
    # Registry imports (decision 0015): checked with zipfile before openpyxl parses anything,
    # so that no upload can take a worker's memory or time. An uploaded workbook's size, what
    # it unpacks to, how far any member over 1 MB is compressed, and its rows.
    "IMPORT_MAX_MB": float(os.environ.get("SERVICEHALL_IMPORT_MAX_MB", "10")),
    "IMPORT_MAX_UNPACKED_MB": float(os.environ.get("SERVICEHALL_IMPORT_MAX_UNPACKED_MB", "50")),
    "IMPORT_MAX_RATIO": float(os.environ.get("SERVICEHALL_IMPORT_MAX_RATIO", "100")),
    "IMPORT_MAX_ROWS": int(os.environ.get("SERVICEHALL_IMPORT_MAX_ROWS", "10000")),
    # a file with more rows than this is imported as a background job with a progress page
    "IMPORT_JOB_ROWS": int(os.environ.get("SERVICEHALL_IMPORT_JOB_ROWS", "500")),
    # the import page lists this many problems and counts the rest
    "IMPORT_ERRORS_SHOWN": int(os.environ.get("SERVICEHALL_IMPORT_ERRORS_SHOWN", "200")),
}
# Rate limits, per client address unless named otherwise: each rule's rates ("count/period",
# m a minute, h an hour), all of which must hold. SERVICEHALL_RATE_LIMITS changes some
# ("complaint=5/m,20/h;lookup=30/m") or lifts all ("off"); decision 0016 says why these.
_RATE_LIMIT_DEFAULTS = {
    "complaint": "5/m,20/h",  # the public complaint form: a citizen sends one
    "ticket": "20/m,600/h",  # kiosk numbers and check-ins: one kiosk serves the whole hall
    "booking": "5/m,20/h",  # appointments booked
    "rating": "10/m,100/h",  # ratings by the slip's link; paired devices are not limited
    "lookup": "30/m,300/h",  # case and complaint status, by page, API and Open311
    # wrong codes tried for one case number, from any address: the last four of an ID number
    # are ~11,000 values, which many addresses could otherwise try in an afternoon
    "wrong_code": "10/h",
    "pairing": "10/m,60/h",  # pairing codes typed in at a rating device's /screen/
    "search": "60/m,1000/h",  # the public guide's search, by page and API
    "open311": "30/m,600/h",  # Open311 POST from one address …
    "open311_key": "60/m,2000/h",  # … and with one api_key, from any address
    # an inspector's phone syncing its drafts: a day's backlog at once is some dozens, each a
    # few photos; a loop gone wrong is stopped (the form retries later, with backoff)
    "visit_sync": "30/m,300/h",
}


def _rate_limits(text: str, defaults: dict[str, str]) -> dict[str, str]:
    """SERVICEHALL_RATE_LIMITS: "rule=rates;…" changes the rules it names, "off" lifts all."""
    if text.strip().lower() == "off":
        return dict.fromkeys(defaults, "")
    rules = dict(defaults)
    for part in filter(None, text.split(";")):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in defaults:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"SERVICEHALL_RATE_LIMITS: {part!r} is not rule=rates, a rule of "
                + ", ".join(defaults)
            )
        rules[name.strip()] = value.replace(" ", "")
    return rules


SERVICEHALL["RATE_LIMITS"] = _rate_limits(
    os.environ.get("SERVICEHALL_RATE_LIMITS", ""), _RATE_LIMIT_DEFAULTS
)
