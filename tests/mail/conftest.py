"""A real SMTP server for the e-mail tests (aiosmtpd on a loopback port) that can be told to refuse."""

import socket
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from festival.core.extensions import db
from festival.core.queue import huey
from festival.models import MailMessage
from tests.conftest import make_app


class Handler:
    """Keeps every message it accepts; `refuse_rcpt` and `refuse_data` hold answers to give first."""

    def __init__(self):
        self.received = []  # (envelope recipients, parsed message)
        self.refuse_rcpt: list[str] = []
        self.refuse_data: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data.pop(0)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message for _, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app(tmp_path, smtp):
    """The app sending through the test's SMTP server (no TLS on loopback)."""
    return make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False, MAIL_TIMEOUT=5)


@pytest.fixture(autouse=True)
def _empty_schedule():
    """Retries waiting in Huey's in-memory schedule belong to the test that made them."""
    huey.flush()
    yield
    huey.flush()


def run_scheduled(app) -> int:
    """Run every task waiting in the queue's schedule (retries after their back-off, throttled sends),
    as the consumer would once their time comes, in `app`."""

    ran = 0
    with app.app_context():
        while True:
            due = huey.read_schedule(datetime.now() + timedelta(days=365))
            if not due:
                return ran
            for item in due:
                item.eta = None
                huey.execute(item)
                ran += 1


def outbox_rows(app) -> list[MailMessage]:
    with app.app_context():
        rows = db.session.execute(db.select(MailMessage).order_by(MailMessage.id)).scalars().all()
        db.session.expunge_all()
        return rows
