"""Votes are rate-limited per badge and per client address (Flask-Limiter, switched on here)."""

import pytest

from tests.conftest import make_app
from tests.voting.conftest import link


@pytest.fixture
def app(tmp_path):
    return make_app(
        tmp_path, RATELIMIT_ENABLED=True, VOTE_BADGE_LIMIT="3 per minute", VOTE_ADDRESS_LIMIT="5 per minute"
    )


def test_one_badge_may_vote_only_so_often(app, vote_world):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    statuses = [phone.post(f"/vote/exhibits/{vote_world['a1']}").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Another badge from another address is not held up by the first one's count.
    other = app.test_client()
    link(other, vote_world["guest2_token"])
    response = other.post(f"/vote/exhibits/{vote_world['a1']}", environ_base={"REMOTE_ADDR": "10.1.1.2"})
    assert response.status_code == 302


def test_one_address_may_vote_only_so_often_whatever_the_badge(app, vote_world):
    statuses = []
    for key in ("guest", "guest2", "delegate_a", "guest", "guest2", "delegate_a"):
        phone = app.test_client()
        link(phone, vote_world[f"{key}_token"])
        statuses.append(phone.post(f"/vote/exhibits/{vote_world['b1']}").status_code)
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_a_phone_whose_link_was_taken_back_does_not_spend_the_owners_limit(app, vote_world):
    thief = app.test_client()
    link(thief, vote_world["guest_token"])
    # The photographed badge's phone spends the whole per-badge count (its votes are refused or moved)...
    for _ in range(4):
        thief.post(f"/vote/exhibits/{vote_world['a1']}", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    # ...then the owner links their own phone to the badge, which takes the link back from the other one.
    owner = app.test_client()
    link(owner, vote_world["guest_token"])
    statuses = [
        owner.post(f"/vote/exhibits/{vote_world['a2']}", environ_base={"REMOTE_ADDR": "10.1.1.7"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 302]
    # The unlinked phone is still held to its own count.
    assert thief.post(f"/vote/exhibits/{vote_world['a1']}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
