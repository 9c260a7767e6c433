"""Behind one trusted proxy (nginx with `X-Forwarded-For $proxy_add_x_forwarded_for`, TRUSTED_PROXIES=1), the
address the limits count is the one nginx saw, never one the client wrote into its own header."""

import pytest
from flask import request

from tests.conftest import make_app

NGINX = "127.0.0.1"  # the proxy's own address, as gunicorn sees every request


@pytest.fixture
def proxied(tmp_path):
    return make_app(tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1, SIGN_IN_CLIENT_LIMIT="3 per minute")


def through_nginx(client, real_address: str, spoofed: str | None = None, **kwargs):
    """A sign-in attempt as nginx forwards it: the client's own header (if any) with its real address appended."""
    forwarded = f"{spoofed}, {real_address}" if spoofed else real_address
    return client.post(
        "/auth/login",
        data={"email": "khong-co@example.vn", "password": "sai-mat-khau"},
        headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": NGINX},
        **kwargs,
    )


def test_a_spoofed_forwarded_for_does_not_choose_the_address_the_limits_count(proxied):
    attacker = proxied.test_client()
    statuses = [through_nginx(attacker, "203.0.113.9", spoofed=f"198.51.100.{n}").status_code for n in range(1, 7)]
    # Six made-up addresses, one real one: the fourth failure is refused.
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429, 429]
    # Another real client behind the same nginx is not held up by the attacker's count.
    assert through_nginx(proxied.test_client(), "203.0.113.50").status_code == 200


def test_the_client_address_behind_the_proxy_is_the_one_nginx_appended(proxied):
    seen = {}

    @proxied.before_request
    def remember():
        seen["address"], seen["scheme"] = request.remote_addr, request.scheme

    through_nginx(proxied.test_client(), "203.0.113.9", spoofed="10.0.0.1, 10.0.0.2")
    assert seen == {"address": "203.0.113.9", "scheme": "https"}
