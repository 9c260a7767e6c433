"""Festival configuration: defaults here, overridden by environment variables."""

import json
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Config:
    """Development defaults; every setting a deployment changes reads the environment."""

    # Signs sessions and the device and vote cookies. Unset outside production, a random key is made
    # once and kept in SECRET_KEY_FILE (0600), shared by the web workers and the queue's worker;
    # production refuses to start without a strong SECRET_KEY.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'festival.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Where files are kept (see festival/core/storage.py): empty keeps each kind in its folder below on this
    # machine; s3://bucket/prefix keeps them all in S3-compatible object storage that every app machine and
    # worker share (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the endpoint of a self-hosted store).
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_S3_ENDPOINT_URL = os.environ.get("STORAGE_S3_ENDPOINT_URL", "")
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION", "")
    # With S3: send the files of public exhibits (anyone may see them) by redirect to a signed URL that works
    # for an hour, so the gallery's photos do not pass through the app machines. Only when visitors' phones
    # can reach the store's endpoint; pages then allow images from it (Content-Security-Policy).
    STORAGE_PUBLIC_REDIRECT = os.environ.get("STORAGE_PUBLIC_REDIRECT", "0").lower() in ("1", "true", "yes")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    JOBS_DIR = os.environ.get("JOBS_DIR", str(INSTANCE_DIR / "jobs"))  # finished prints (PDF, ZIP)
    # A print job's worker touches the job every PRINT_JOB_HEARTBEAT_SECONDS; one not heard from for
    # PRINT_JOB_STALE_SECONDS died with its worker: it is shown and marked failed, "In lại" runs it again.
    PRINT_JOB_HEARTBEAT_SECONDS = float(os.environ.get("PRINT_JOB_HEARTBEAT_SECONDS", "10"))
    PRINT_JOB_STALE_SECONDS = float(os.environ.get("PRINT_JOB_STALE_SECONDS", "60"))
    # The queue's worker and its PDF processes run this much below the web's CPU priority (nice), so a print
    # on the same cores cannot slow a judge's save or a gate's scan.
    WORKER_NICENESS = int(os.environ.get("WORKER_NICENESS", "10"))
    CERTIFICATE_CACHE_DIR = os.environ.get("CERTIFICATE_CACHE_DIR", str(INSTANCE_DIR / "certificates"))
    # Spreadsheets between the import steps (preview, mapping), on disk so every worker sees them.
    IMPORTS_DIR = os.environ.get("IMPORTS_DIR", str(INSTANCE_DIR / "imports"))
    IMPORT_UPLOAD_HOURS = float(os.environ.get("IMPORT_UPLOAD_HOURS", "4"))
    # The longest an organizer may keep any category of personal data (festival.privacy.inventory).
    PERSONAL_DATA_MAX_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_MAX_RETENTION_DAYS", "730"))
    # Days off that are not Saturdays or Sundays' own (ISO dates), for counting people's requests' deadlines in
    # working days: the statutory holidays of 2026 and 2027 with the days off announced for them (Tết, days given
    # in lieu, the swapped 31/08/2026). PUBLIC_HOLIDAYS=2028-01-01,… replaces the list; add each year's once announced.
    PUBLIC_HOLIDAYS = [
        day.strip()
        for day in os.environ.get(
            "PUBLIC_HOLIDAYS",
            "2026-01-01,2026-02-16,2026-02-17,2026-02-18,2026-02-19,2026-02-20,2026-04-27,2026-04-30,2026-05-01,"
            "2026-08-31,2026-09-01,2026-09-02,2026-11-24,"
            "2027-01-01,2027-02-04,2027-02-05,2027-02-08,2027-02-09,2027-02-10,2027-04-16,2027-04-30,2027-05-03,"
            "2027-09-02,2027-09-03,2027-11-24",
        ).split(",")
        if day.strip()
    ]
    # People's requests (Law 91/2025/QH15, Decree 356/2025/NĐ-CP), in working days counted from the day after the
    # request was received: the acknowledgement, then each right's answer; PRIVACY_REQUEST_PROCESSOR_DAYS when a
    # processor handles the data. An extension, once, adds the same period again. The union's legal staff confirm
    # these periods; the environment (JSON, e.g. {"access": 10}) changes any of them.
    PRIVACY_REQUEST_DAYS = {
        "acknowledge": 2,
        "know": 15,
        "withdraw": 15,
        "access": 15,
        "copy": 15,
        "correct": 15,
        "delete": 15,
        "restrict": 15,
        "object": 15,
        **json.loads(os.environ.get("PRIVACY_REQUEST_DAYS", "{}")),
    }
    PRIVACY_REQUEST_PROCESSOR_DAYS = {
        "withdraw": 20,
        "restrict": 20,
        "object": 20,
        **json.loads(os.environ.get("PRIVACY_REQUEST_PROCESSOR_DAYS", "{}")),
    }
    # static/ published with hashed names by `make static` (tools/build_static.py); unhashed when absent.
    STATIC_BUILD_DIR = os.environ.get("STATIC_BUILD_DIR", str(BASE_DIR / "build" / "static"))
    # Flask-Compress compresses pages and JSON; files sent with send_file (uploads, PDFs, static/ when not built)
    # go as they are: the built static files are compressed beforehand, and its streaming mode never closes
    # the file it reads.
    COMPRESS_STREAMS = False
    # Pages carry no ETag, so there is nothing to evaluate, and the Date header it adds is sent twice by servers
    # that add their own.
    COMPRESS_EVALUATE_CONDITIONAL_REQUEST = False
    # Absolute address printed in QR codes (posters, badges, certificates); phones at the
    # venue must reach it, so set it to the server's address on the venue network. When empty,
    # create_app derives it from HOST and PORT (what `make run` serves; 0.0.0.0 → the LAN address).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

    # Requests larger than this get the friendly 413 page (attachments are 10 MB each).
    MAX_CONTENT_LENGTH = 24 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: judges keep pages open for hours
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Ghi nhớ đăng nhập" lasts 30 days at most (a shared tablet must not stay signed in for a year);
    # without it a signed-in session ends after SESSION_HOURS, long enough for a festival day.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_HOURS = 16
    # What a judge's or gate's device keeps for offline use (sheets, their states, the gate's list,
    # changes never sent) is dropped once it is this old: a lost tablet does not keep scores for long.
    OFFLINE_KEEP_HOURS = float(os.environ.get("OFFLINE_KEEP_HOURS", "24"))

    PASSWORD_HASH_METHOD = "scrypt"
    # Sign-in guessing (see README, "Limits"): per e-mail address, the first 5 wrong passwords in a
    # row cost nothing; after that a browser that never signed in to the account waits 1, 2, 4, 8,
    # then 15 minutes between tries (a browser with the account's device cookie is never held up);
    # the count starts again after a quiet day. Per client address, at most this many wrong
    # sign-ins (a spray over many accounts), then 429.
    SIGN_IN_FREE_FAILURES = 5
    SIGN_IN_MAX_DELAY_MINUTES = 15
    SIGN_IN_FAILURES_RESET_HOURS = 24
    SIGN_IN_CLIENT_LIMIT = "20 per minute;200 per hour"
    DEVICE_COOKIE_DAYS = 180
    # Other pages a stranger could use to probe: badge links, the verify page, delegate sign-ups.
    PUBLIC_LOOKUP_LIMIT = "30 per minute;300 per hour"
    DELEGATE_LIMIT = "20 per minute;100 per hour"
    # Ideas sent from the production teams' QR posters, per client address (a factory's Wi-Fi puts many phones
    # behind one address).
    INTAKE_LIMIT = "10 per minute;100 per hour"
    # The visitors' choice: votes per client address (a venue's Wi-Fi puts many phones behind one
    # address, so it is generous) and per badge; the tally flags an address used by this many badges,
    # and this many badges of one unit voting for one exhibit within these minutes of their check-in.
    VOTE_ADDRESS_LIMIT = "60 per minute;600 per hour"
    VOTE_BADGE_LIMIT = "10 per minute;60 per hour"
    VOTE_COOKIE_DAYS = 30
    VOTE_ADDRESS_FLAG = 10
    VOTE_BURST_MINUTES = 15
    VOTE_BURST_SIZE = 5
    # Flask-Limiter: counters in this process by default; RATELIMIT_STORAGE_URI=redis://… shares them
    # between gunicorn workers and machines (production).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # When that Redis stops answering, each process counts in its own memory until it answers again (checked
    # now and then), and a count that still fails is logged: a request never fails because of its limits.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # …and a Redis that is gone without refusing (a machine switched off) holds a request 2 seconds, not minutes.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    # Behind nginx (or another proxy) set to the number of proxies in front, so the client's own
    # address (X-Forwarded-For) is the one rate limits count; 0 trusts no such header.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Gates uploading the scans they decided offline (see README, "Gates"): a scan is applied only when dated
    # within the festival's days widened by CHECKIN_OFFLINE_MARGIN_HOURS on each side, not before its device
    # fetched the check-in list it decided from, and not later than the server's clock; a device's clock may be
    # off by CHECKIN_CLOCK_SKEW_MINUTES either way. Others are held for an organizer to review. A long queue is
    # written CHECKIN_UPLOAD_CHUNK scans per transaction, so saves and scans meanwhile are not kept waiting.
    CHECKIN_OFFLINE_MARGIN_HOURS = float(os.environ.get("CHECKIN_OFFLINE_MARGIN_HOURS", "6"))
    CHECKIN_CLOCK_SKEW_MINUTES = float(os.environ.get("CHECKIN_CLOCK_SKEW_MINUTES", "5"))
    CHECKIN_UPLOAD_CHUNK = int(os.environ.get("CHECKIN_UPLOAD_CHUNK", "50"))
    INVITATION_DAYS = 14
    PER_PAGE = 25

    # E-mail (see README, "Configuration"): sent through this SMTP server from the task queue; with no
    # MAIL_SERVER every message is written to MAIL_OUTBOX_DIR as an .eml file instead (and listed in the
    # organizers' outbox), so nothing is dropped and a trial run shows what would be sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1").lower() in ("1", "true", "yes")  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0").lower() in ("1", "true", "yes")  # TLS from the start (465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Ban tổ chức Ngày hội LĐST <no-reply@festival.example.vn>")
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", "")
    # Who people write to about their personal data, named by the default privacy notice (organizers may edit it).
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")
    # What an erased person's name becomes (festival.privacy.erasure): the union's wording, not the code's.
    ERASED_AUTHOR_NAME = os.environ.get("ERASED_AUTHOR_NAME", "Tác giả đã xoá dữ liệu")
    ERASED_ATTENDEE_NAME = os.environ.get("ERASED_ATTENDEE_NAME", "Người tham dự đã xoá dữ liệu")
    ERASED_USER_NAME = os.environ.get("ERASED_USER_NAME", "Người dùng đã xoá dữ liệu")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    # At most this many messages a minute leave for the server (0: no limit), so bulk sends do not flood it.
    MAIL_RATE_PER_MINUTE = int(os.environ.get("MAIL_RATE_PER_MINUTE", "30"))
    # Tries after the first when the server answers 4xx or cannot be reached, waiting 1, 2, 4, 8, 16 minutes.
    MAIL_RETRIES = int(os.environ.get("MAIL_RETRIES", "5"))
    MAIL_RETRY_DELAY = int(os.environ.get("MAIL_RETRY_DELAY", "60"))
    # A message still queued this long after it was due never reached the queue (its Redis was down): it is
    # handed over again (festival/mail/schedule.py).
    MAIL_REQUEUE_MINUTES = float(os.environ.get("MAIL_REQUEUE_MINUTES", "15"))
    # A message "sending" this long lost its worker mid-send (killed, the machine restarted): it is sent again.
    MAIL_SENDING_STALE_MINUTES = float(os.environ.get("MAIL_SENDING_STALE_MINUTES", "10"))
    JUDGE_REMINDER_HOUR = 17  # local time: the unsubmitted-sheets reminder at the end of a judging day
    PASSWORD_RESET_MINUTES = 60
    PASSWORD_RESET_LIMIT = "5 per minute;20 per hour"  # "Quên mật khẩu" requests per client address
    PASSWORD_RESET_ADDRESS_LIMIT = "3 per hour"  # …and per address typed, so no mailbox is flooded


class TestConfig(Config):
    """Used by the test suite: a throw-away database chosen by the fixture, CSRF off."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick; never in production
    RATELIMIT_ENABLED = False  # the tests of the limits turn them on
    PUBLIC_BASE_URL = "https://ldst.example.vn"
    STATIC_BUILD_DIR = None  # static/ as it is; the tests of the build publish their own copy
    MAIL_SERVER = ""  # the file outbox, unless a test starts its own SMTP server
    MAIL_RATE_PER_MINUTE = 0  # the tests of throttling set their own rate


class ProductionConfig(Config):
    """Served to real users: secure cookies and a strong SECRET_KEY of its own (never a generated one)."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


def config_for_environment():
    """Pick the configuration class named by FESTIVAL_ENV (development by default)."""
    if os.environ.get("FESTIVAL_ENV") == "production":
        return ProductionConfig
    return Config
