"""Several app machines and workers sharing one Redis (issue 25): what happens when that Redis answers, and when
it does not. A real redis-server is started on a free loopback port (`make test-debs` installs it)."""

import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta

import pytest
import redis
from huey.storage import RedisStorage

from festival.core import queue as festival_queue
from festival.core.extensions import db, limiter
from festival.mail import notify, schedule
from festival.models import ExhibitStatus, JobStatus, MailMessage, MailStatus, Role, ScoreSheet
from tests import factories
from tests.conftest import make_app
from tests.test_print_jobs import add_attendees, job_id_of, load_job, print_badges

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """The address of a redis-server of this test run's own, kept in memory only."""
    # `make test` installs it (TEST_DEBS): a missing one is a broken set-up, never a reason to pass.
    assert REDIS_SERVER is not None, "redis-server is not installed: run `make test-debs`"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.05)
    yield url
    client.close()
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server):
    """The test's Redis, emptied."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture
def dead_redis_url():
    """A Redis address where nothing listens (a Redis that is down)."""
    return f"redis://127.0.0.1:{free_port()}"


@pytest.fixture
def _limiter_recovers():
    """The limiter is one object for every app of this process: after a test that found its storage dead, the
    next app must not start out counting in memory."""
    yield
    limiter._storage_dead = False


# Rate limits ---------------------------------------------------------------------------------------------------


def _sign_in_attempts(app, count: int) -> list[int]:
    browser = app.test_client()
    return [
        browser.post("/auth/login", data={"email": f"person{n}@example.vn", "password": "Matkhau123"}).status_code
        for n in range(count)
    ]


def test_limits_shared_in_redis_count_across_machines(tmp_path, redis_url, people):
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url, "SIGN_IN_CLIENT_LIMIT": "3 per minute"}
    first = make_app(tmp_path, **settings)
    assert _sign_in_attempts(first, 2) == [200, 200]
    second = make_app(tmp_path, **settings)  # another machine, the same Redis
    assert _sign_in_attempts(second, 3) == [200, 429, 429]


@pytest.mark.usefixtures("_limiter_recovers")
def test_with_the_limits_redis_down_sign_in_and_verify_answer_and_limits_apply_in_memory(
    tmp_path, dead_redis_url, people
):
    app = make_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=dead_redis_url,
        SIGN_IN_CLIENT_LIMIT="3 per minute",
        PUBLIC_LOOKUP_LIMIT="2 per minute",
    )
    assert _sign_in_attempts(app, 5) == [200, 200, 200, 429, 429]
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    statuses = [stranger.get("/verify/KHONG-CO").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.10"
    response = other.post("/auth/login", data={"email": people["emails"]["judge"], "password": factories.PASSWORD})
    assert response.status_code == 302  # signed in


# /healthz --------------------------------------------------------------------------------------------------------


def test_healthz_is_ok_with_the_queue_and_the_limits_in_redis(tmp_path, redis_url, monkeypatch):
    monkeypatch.setenv("QUEUE_URL", redis_url)
    monkeypatch.setattr(festival_queue, "huey", festival_queue._create_huey())
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok", "rate_limits": "ok"}


@pytest.mark.usefixtures("_limiter_recovers")
def test_healthz_is_degraded_but_200_when_redis_is_down(tmp_path, dead_redis_url, monkeypatch):
    monkeypatch.setenv("QUEUE_URL", dead_redis_url)
    monkeypatch.setattr(festival_queue, "huey", festival_queue._create_huey())
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=dead_redis_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # the load balancer keeps the machine: pages and sign-in still work
    assert response.get_json() == {
        "status": "degraded",
        "database": "ok",
        "queue": "unavailable",
        "rate_limits": "unavailable",
    }


# The queue in Redis ----------------------------------------------------------------------------------------------


def test_a_redis_queue_url_gives_a_queue_in_that_redis_database(redis_url, monkeypatch):
    monkeypatch.setenv("QUEUE_URL", f"{redis_url}/3")
    queue = festival_queue._create_huey()

    @queue.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert redis.Redis.from_url(f"{redis_url}/3").llen(f"huey.redis.{queue.name}") == 1
    assert queue.pending_count() == 1
    queue.execute(queue.dequeue())  # what a consumer on another machine does
    assert result.get() == 5
    assert queue.pending_count() == 0


# A queue that does not answer ------------------------------------------------------------------------------------


@pytest.fixture
def queue_down(dead_redis_url, monkeypatch):
    """The queue's Redis is down: handing it a task raises, as on a machine that lost it."""
    monkeypatch.setattr(festival_queue.huey, "_immediate", False)
    monkeypatch.setattr(festival_queue.huey, "storage", RedisStorage("festival", url=dead_redis_url))
    return monkeypatch


def test_a_print_that_cannot_be_queued_fails_with_a_reason_and_in_lai_prints_it_later(
    app, client, login_as, people, queue_down
):
    login_as("organizer")
    add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], 2)
    job_id = job_id_of(print_badges(client, people["ids"]["unit_a"]))  # the page answers, no 500
    job = load_job(app, job_id)
    assert job.status is JobStatus.FAILED and job.error == "queue_unreachable"
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "máy chủ hàng đợi không trả lời" in page and "In lại" in page

    queue_down.undo()  # the queue answers again
    client.post(f"/admin/jobs/{job_id}/retry")
    job = load_job(app, job_id)
    assert job.status is JobStatus.DONE and job.attempt == 2


def test_forgot_password_answers_as_always_while_the_queue_is_down(client, people, queue_down, caplog):
    response = client.post("/auth/forgot", data={"email": people["emails"]["judge"]}, follow_redirects=True)
    assert response.status_code == 200
    assert "A password reset request could not be queued" in caplog.text


def _message(app, message_id) -> MailMessage:
    with app.app_context():
        message = db.session.get(MailMessage, message_id)
        db.session.expunge(message)
        return message


def _sweep(app) -> int:
    with app.app_context():
        return schedule.requeue_stranded_mail().get()


def test_a_message_that_cannot_be_queued_stays_queued_and_the_sweep_sends_it_once(app, queue_down):
    with app.app_context():
        factories.make_festival()
        judge = factories.make_user(Role.JUDGE, password=None)
        message_id = notify.invite(judge, by=None).id
        db.session.commit()  # the enqueue fails after the commit: the invitation stands, queued
    assert _message(app, message_id).status is MailStatus.QUEUED

    queue_down.undo()  # the queue answers again
    assert _sweep(app) == 0  # not yet: it may still be on its way
    with app.app_context():
        message = db.session.get(MailMessage, message_id)
        message.scheduled_for -= timedelta(minutes=20)  # as if twenty minutes had passed
        message.updated_at -= timedelta(minutes=20)
        db.session.commit()
    assert _sweep(app) == 1
    message = _message(app, message_id)
    assert message.status is MailStatus.SENT and message.attempts == 1 and message.outbox_file, message.last_error
    assert _sweep(app) == 0


# Periodic work on several consumers ------------------------------------------------------------------------------


def test_the_evening_reminder_goes_once_to_each_judge_when_two_consumers_run_it_at_once(tmp_path, monkeypatch):
    consumers = [make_app(tmp_path, JUDGE_REMINDER_HOUR=0) for _ in range(2)]  # one database, two machines
    with consumers[0].app_context():
        festival = factories.make_festival()
        unit, category = factories.make_unit("UNITA"), factories.make_category(festival)
        exhibit = factories.make_exhibit(festival, unit, category, status=ExhibitStatus.ACCEPTED)
        judges = [factories.make_user(Role.JUDGE) for _ in range(3)]
        db.session.add_all([ScoreSheet(exhibit=exhibit, judge=judge) for judge in judges])
        db.session.commit()
        judge_ids = sorted(judge.id for judge in judges)

    queue_message = notify.services.queue

    def slow_queue(*args, **kwargs):  # each reminder takes a while: the runs overlap
        time.sleep(0.1)
        return queue_message(*args, **kwargs)

    monkeypatch.setattr(notify.services, "queue", slow_queue)
    start = threading.Barrier(len(consumers))
    counts = []

    def consume(app):
        with app.app_context():
            start.wait(timeout=10)
            counts.append(schedule.send_due_reminders().get())

    threads = [threading.Thread(target=consume, args=(app,)) for app in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(counts) == [0, 3]
    with consumers[0].app_context():
        reminders = db.session.execute(
            db.select(MailMessage.user_id).where(MailMessage.kind == "judge_reminder").order_by(MailMessage.user_id)
        ).scalars()
        assert list(reminders) == judge_ids
