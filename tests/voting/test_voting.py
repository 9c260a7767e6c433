"""The visitors' choice: linking a phone to a badge, casting and changing votes, every refusal, revoked
badges, hidden results, paper ballots, the kiosk, per-category votes, anomalies, limits and the prize."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from festival.badges import services as badges
from festival.certificates import printing as certificate_printing
from festival.certificates import services as certificates
from festival.core.extensions import db
from festival.models import (
    Attendee,
    AuditLog,
    AwardTier,
    Certificate,
    CertificateKind,
    Exhibit,
    Festival,
    PaperBallots,
    Unit,
    User,
    VisitorAward,
    Vote,
    VoteDevice,
    VotePolicy,
    VoteSource,
    utcnow,
)
from festival.voting import services, tally
from festival.voting.devices import COOKIE
from tests.pdf_tools import page_texts
from tests.voting.conftest import link, set_policy


def votes(app, **where):
    with app.app_context():
        found = db.session.execute(db.select(Vote).filter_by(**where)).scalars().all()
        db.session.expunge_all()
        return found


def actions(app, prefix):
    with app.app_context():
        return [
            row.action
            for row in db.session.execute(
                db.select(AuditLog).where(AuditLog.action.startswith(prefix)).order_by(AuditLog.id)
            ).scalars()
        ]


def page(response) -> str:
    return response.get_data(as_text=True)


def cast(client, exhibit_id):
    return client.post(f"/vote/exhibits/{exhibit_id}", follow_redirects=True)


# Linking ------------------------------------------------------------------------------------


def test_badge_page_offers_voting_to_visitors_but_not_to_gate_staff(app, client, vote_world, login_as):
    body = page(client.get(f"/c/{vote_world['guest_token']}"))
    assert "Dùng thẻ này để bình chọn" in body
    login_as("checkin")
    assert "Dùng thẻ này để bình chọn" not in page(client.get(f"/c/{vote_world['guest_token']}"))


def test_badge_page_says_nothing_of_voting_when_the_vote_is_off(app, client, vote_world):
    set_policy(app, vote_world["festival"], is_enabled=False)
    assert "Dùng thẻ này để bình chọn" not in page(client.get(f"/c/{vote_world['guest_token']}"))


def test_linking_sets_a_signed_cookie_and_relinking_moves_the_badge_to_the_new_phone(app, vote_world):
    first, second = app.test_client(), app.test_client()
    response = link(first, vote_world["guest_token"])
    assert response.headers["Location"].endswith("/vote/")
    cookie = first.get_cookie(COOKIE)
    assert cookie is not None and cookie.http_only and vote_world["guest_token"] not in cookie.value
    assert "Khách Mời Một" in page(first.get("/vote/"))
    assert "Còn 1 / 1 phiếu" in page(first.get("/vote/"))

    link(second, vote_world["guest_token"])
    with app.app_context():
        device = db.session.get(VoteDevice, vote_world["guest"])
        assert device.links == 2
    assert actions(app, "vote.device") == ["vote.device_linked", "vote.device_relinked"]
    # The first phone no longer votes for that badge.
    body = page(cast(first, vote_world["b1"]))
    assert "đã được liên kết với một điện thoại khác" in body
    assert votes(app) == []
    assert "Đã ghi nhận phiếu bình chọn của bạn." in page(cast(second, vote_world["b1"]))


def test_a_forged_cookie_is_not_a_voter(app, client, vote_world):
    client.set_cookie(COOKIE, f'{{"a": {vote_world["guest"]}, "s": "guessed"}}')
    assert "Hãy quét mã QR trên thẻ tham dự của bạn trước" in page(cast(client, vote_world["b1"]))
    assert votes(app) == []


def test_linking_a_revoked_badge_is_refused(app, client, vote_world):
    with app.app_context():
        guest = db.session.get(Attendee, vote_world["guest"])
        organizer = db.session.execute(db.select(User)).scalars().first()
        badges.reissue_badge(guest, "Mất thẻ", by=organizer)
        db.session.commit()
    response = client.post(f"/vote/link/{vote_world['guest_token']}", data={"consent": "y"})
    assert response.status_code == 400 and "Thẻ này đã bị thu hồi" in page(response)
    assert client.post("/vote/link/no-such-badge").status_code == 404


# Voting and changing a vote -----------------------------------------------------------------


def test_a_vote_is_cast_then_changed_and_stays_one_vote(app, client, vote_world):
    link(client, vote_world["guest_token"])
    body = page(client.get(f"/e/{vote_world['a1']}"))
    assert "Bình chọn cho sáng kiến này" in body and "còn 1 / 1 phiếu" in body

    assert "Đã ghi nhận phiếu bình chọn của bạn." in page(cast(client, vote_world["a1"]))
    assert "Bạn đã bình chọn cho sáng kiến này" in page(client.get(f"/e/{vote_world['a1']}"))
    body = page(client.get(f"/e/{vote_world['b1']}"))
    assert "Chuyển phiếu sang sáng kiến này" in body and "còn 0 / 1 phiếu" in body

    assert "Đã chuyển phiếu của bạn sang sáng kiến này." in page(cast(client, vote_world["b1"]))
    assert "Bạn đã bình chọn cho sáng kiến này rồi." in page(cast(client, vote_world["b1"]))
    (vote,) = votes(app)
    assert (vote.exhibit_id, vote.changes, vote.source, vote.attendee_id) == (
        vote_world["b1"],
        1,
        VoteSource.PHONE,
        vote_world["guest"],
    )
    assert actions(app, "vote.c") == ["vote.cast", "vote.changed"]
    assert "QL-01" in page(client.get("/vote/"))


def test_an_exhibit_that_is_not_public_cannot_be_voted_for(app, client, vote_world):
    link(client, vote_world["guest_token"])
    assert client.post(f"/vote/exhibits/{vote_world['draft']}").status_code == 404
    assert votes(app) == []


def revoke(app, world):
    with app.app_context():
        guest = db.session.get(Attendee, world["guest"])
        badges.reissue_badge(guest, "Bị mất", by=db.session.execute(db.select(User)).scalars().first())
        db.session.commit()


@pytest.mark.parametrize(
    ("badge", "change", "message"),
    [
        ("late", None, "Thẻ chưa được quét vào cổng"),
        ("judge", None, "Vai trò “Giám khảo” không thuộc diện được bình chọn"),
        ("delegate_a", None, "Không thể bình chọn cho sáng kiến của chính đơn vị mình"),
        ("guest", "closed", "Cổng bình chọn đã đóng"),
        ("guest", "not_open", "Cổng bình chọn chưa mở"),
        ("guest", "off", "Ngày hội này không tổ chức bình chọn của khán giả"),
        ("guest", "revoked", "Thẻ này đã bị thu hồi"),
    ],
)
def test_every_refusal_says_why_and_records_nothing(app, client, vote_world, badge, change, message):
    link(client, vote_world[f"{badge}_token"])
    now = utcnow()
    if change == "closed":
        set_policy(app, vote_world["festival"], closes_at=now - timedelta(minutes=1))
    elif change == "not_open":
        set_policy(app, vote_world["festival"], opens_at=now + timedelta(minutes=30))
    elif change == "off":
        set_policy(app, vote_world["festival"], is_enabled=False)
    elif change == "revoked":
        revoke(app, vote_world)
    response = client.post(f"/vote/exhibits/{vote_world['a1']}")
    assert response.status_code == 302
    body = page(client.get(response.headers["Location"]))
    assert message in body
    assert votes(app) == []
    if change != "off":  # the exhibit's page says so before anyone taps
        assert message in page(client.get("/vote/")) or message in page(client.get(f"/e/{vote_world['a1']}"))


def test_own_unit_exhibits_may_be_voted_for_when_the_organizers_allow_it(app, client, vote_world):
    set_policy(app, vote_world["festival"], own_unit_allowed=True)
    link(client, vote_world["delegate_a_token"])
    assert "Đã ghi nhận phiếu bình chọn của bạn." in page(cast(client, vote_world["a1"]))


def test_every_role_may_vote_when_none_is_chosen(app, client, vote_world):
    set_policy(app, vote_world["festival"], voter_roles=[])
    link(client, vote_world["judge_token"])
    assert "Đã ghi nhận phiếu bình chọn của bạn." in page(cast(client, vote_world["a1"]))


def test_one_vote_per_category_when_voting_per_category(app, client, vote_world):
    set_policy(app, vote_world["festival"], per_category=True)
    link(client, vote_world["guest_token"])
    assert "Còn 2 / 2 phiếu" in page(client.get("/vote/"))
    cast(client, vote_world["a1"])
    cast(client, vote_world["b1"])
    assert "Còn 0 / 2 phiếu" in page(client.get("/vote/"))
    assert "Đã chuyển phiếu" in page(cast(client, vote_world["a2"]))  # same category as a1: moves it
    assert sorted(v.exhibit_id for v in votes(app)) == sorted([vote_world["a2"], vote_world["b1"]])


# Revocation --------------------------------------------------------------------------------


def test_reissuing_a_badge_withdraws_its_votes_and_unlinks_its_phone(app, client, vote_world):
    link(client, vote_world["guest_token"])
    cast(client, vote_world["a1"])
    revoke(app, vote_world)
    (vote,) = votes(app)
    assert vote.withdrawn_at is not None and vote.withdrawn_reason == "Thẻ đã được cấp lại."
    with app.app_context():
        assert db.session.get(VoteDevice, vote_world["guest"]) is None
        festival = db.session.get(Festival, vote_world["festival"])
        (block,) = tally.tally(festival)
        assert all(line.total == 0 for line in block.lines)
        assert tally.voters(festival) == 0
        new_token = db.session.get(Attendee, vote_world["guest"]).badge_token
    assert "Thẻ này đã bị thu hồi" in page(client.get("/vote/"))
    # The new badge votes afresh, once.
    link(client, new_token)
    assert "Còn 1 / 1 phiếu" in page(client.get("/vote/"))
    cast(client, vote_world["b1"])
    assert len([v for v in votes(app) if v.withdrawn_at is None]) == 1


def test_removing_an_attendee_removes_their_votes(app, client, vote_world, login_as):
    link(client, vote_world["guest_token"])
    cast(client, vote_world["a1"])
    with app.app_context():
        badges.remove_attendee(db.session.get(Attendee, vote_world["guest"]), by=None)
        db.session.commit()
    assert votes(app) == []


# Results hidden until the window closes -----------------------------------------------------


def test_results_are_hidden_from_organizers_until_the_window_closes_or_they_unlock_with_a_reason(
    app, client, vote_world, login_as
):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    login_as("organizer")
    body = page(client.get("/vote/tally"))
    assert "Kết quả được giấu đến khi đóng bình chọn" in body and "tally-all" not in body
    assert "Số thẻ đã bình chọn: 1." in body
    response = client.post("/vote/unlock", data={"reason": "  "}, follow_redirects=True)
    assert "Hãy ghi lý do" in page(response) and "tally-all" not in page(response)
    body = page(client.post("/vote/unlock", data={"reason": "Kiểm tra hệ thống"}, follow_redirects=True))
    assert "tally-all" in body and "Kiểm tra hệ thống" in body
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "vote.results_unlocked")).scalar_one()
        assert entry.after == {"reason": "Kiểm tra hệ thống"}


def test_results_show_once_the_window_closes(app, client, vote_world, login_as):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    set_policy(app, vote_world["festival"], closes_at=utcnow() - timedelta(seconds=1))
    login_as("organizer")
    body = page(client.get("/vote/tally"))
    assert "tally-all" in body and "Kết quả được giấu" not in body
    assert "Trao giải" in body


def test_the_award_cannot_be_given_before_the_window_closes(app, client, vote_world, login_as):
    login_as("organizer")
    body = page(client.post("/vote/award", follow_redirects=True))
    assert "Chỉ trao giải sau khi cổng bình chọn đã đóng." in body
    with app.app_context():
        assert db.session.execute(db.select(VisitorAward)).first() is None


# Paper ballots and the kiosk -----------------------------------------------------------------


def test_paper_ballots_are_added_per_exhibit_with_who_entered_them_and_merged_in_the_tally(
    app, client, vote_world, login_as
):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    login_as("organizer")
    assert "Đã ghi 12 phiếu giấy cho KT-02." in page(
        client.post(
            "/vote/paper",
            data={"exhibit_id": vote_world["a2"], "count": "12", "note": "Thùng 1"},
            follow_redirects=True,
        )
    )
    client.post("/vote/paper", data={"exhibit_id": vote_world["a1"], "count": "3", "note": "Thùng 2"})
    response = client.post("/vote/paper", data={"exhibit_id": vote_world["a1"], "count": "0"})
    assert response.status_code == 422
    response = client.post("/vote/paper", data={"exhibit_id": vote_world["draft"], "count": "4"}, follow_redirects=True)
    assert "Chỉ nhập phiếu giấy cho sáng kiến đã duyệt" in page(response)
    with app.app_context():
        entries = db.session.execute(db.select(PaperBallots).order_by(PaperBallots.id)).scalars().all()
        assert [(e.count, e.entered_by.email) for e in entries] == [
            (12, "organizer@example.vn"),
            (3, "organizer@example.vn"),
        ]
        festival = db.session.get(Festival, vote_world["festival"])
        (block,) = tally.tally(festival)
        lines = {line.exhibit.code: (line.phone, line.kiosk, line.paper, line.total) for line in block.lines}
        assert lines == {"KT-02": (0, 0, 12, 12), "KT-01": (1, 0, 3, 4), "QL-01": (0, 0, 0, 0)}
        assert [line.exhibit.code for line in block.lines] == ["KT-02", "KT-01", "QL-01"]
        first = entries[1].id
    assert "Thùng 2" in page(client.get("/vote/paper"))
    client.post(f"/vote/paper/{first}/delete")
    with app.app_context():
        assert db.session.execute(db.select(sa.func.count(PaperBallots.id))).scalar() == 1
    assert actions(app, "vote.paper") == ["vote.paper_added", "vote.paper_added", "vote.paper_deleted"]


def test_the_kiosk_uses_the_same_one_badge_rule(app, client, vote_world, login_as):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    login_as("checkin")
    response = client.post("/vote/kiosk", data={"code": f"http://festival.test/c/{vote_world['guest_token']}"})
    assert response.status_code == 302
    body = page(client.get("/vote/kiosk"))
    assert "Khách Mời Một" in body and "Còn 0 / 1 phiếu" in body and "Đã chọn" in body
    assert "Đã chuyển phiếu" in page(client.post(f"/vote/kiosk/exhibits/{vote_world['b1']}", follow_redirects=True))
    (vote,) = votes(app)
    assert (vote.exhibit_id, vote.source) == (vote_world["b1"], VoteSource.KIOSK)
    client.post("/vote/kiosk/done")
    # The next badge at the kiosk: not checked in.
    client.post("/vote/kiosk", data={"code": vote_world["late_token"]})
    assert "Thẻ chưa được quét vào cổng" in page(client.get("/vote/kiosk"))
    body = page(client.post(f"/vote/kiosk/exhibits/{vote_world['a1']}", follow_redirects=True))
    assert "Thẻ chưa được quét vào cổng" in body
    assert len(votes(app)) == 1
    body = page(client.post("/vote/kiosk", data={"code": "not-a-badge"}, follow_redirects=True))
    assert "Không nhận ra thẻ này" in body


def test_kiosk_refuses_a_revoked_badge(app, client, vote_world, login_as):
    revoke(app, vote_world)
    login_as("organizer")
    body = page(client.post("/vote/kiosk", data={"code": vote_world["guest_token"]}, follow_redirects=True))
    assert "Thẻ này đã bị thu hồi" in body


# Concurrency, limits, anomalies --------------------------------------------------------------


def test_twenty_simultaneous_votes_from_one_badge_count_as_one(app, vote_world):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cookie = phone.get_cookie(COOKIE).value
    barrier = threading.Barrier(20)
    statuses = []
    exhibits = [vote_world["a1"], vote_world["a2"], vote_world["b1"]]

    def vote(n):
        client = app.test_client()
        client.set_cookie(COOKIE, cookie)
        barrier.wait()
        statuses.append(client.post(f"/vote/exhibits/{exhibits[n % 3]}").status_code)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 20
    (vote_row,) = votes(app)
    assert vote_row.exhibit_id in exhibits
    with app.app_context():
        festival = db.session.get(Festival, vote_world["festival"])
        assert sum(line.total for line in tally.tally(festival)[0].lines) == 1
        assert tally.voters(festival) == 1


def test_anomalies_flag_one_address_for_many_badges_and_a_burst_after_a_group_check_in(app, vote_world):
    app.config.update(VOTE_ADDRESS_FLAG=2, VOTE_BURST_SIZE=2, VOTE_BURST_MINUTES=15)
    with app.app_context():
        festival = db.session.get(Festival, vote_world["festival"])
        unit = db.session.execute(db.select(Unit).where(Unit.code == "UNITB")).scalar_one()
        exhibit = db.session.get(Exhibit, vote_world["a1"])
        now = utcnow()
        for n in range(3):
            attendee = Attendee(
                festival=festival,
                full_name=f"Công nhân {n}",
                role=badges.role_by_code(festival, "delegate"),
                unit=unit,
                checked_in_at=now - timedelta(minutes=5),
                checked_in_gate="Cổng chính",
            )
            db.session.add(attendee)
            db.session.flush()
            services.cast_vote(
                festival, attendee, attendee.badge_token, exhibit, source=VoteSource.PHONE, address="10.0.0.9", now=now
            )
        found = tally.anomalies(festival)
        kinds = sorted(a.kind for a in found)
        assert kinds == ["address", "burst"]
        assert any("3 thẻ đã bình chọn từ cùng địa chỉ 10.0.0.9" in a.message for a in found)
        assert any("3 thẻ của Việt Tiến bình chọn cho cùng một sáng kiến" in a.message for a in found)


# The prize and its certificates --------------------------------------------------------------


def test_the_winner_gets_the_visitors_choice_prize_in_the_results_and_certificates(app, client, vote_world, login_as):
    for key in ("guest", "guest2"):
        phone = app.test_client()
        link(phone, vote_world[f"{key}_token"])
        cast(phone, vote_world["b1"])
    login_as("organizer")
    client.post("/vote/paper", data={"exhibit_id": vote_world["a1"], "count": "1"})
    set_policy(app, vote_world["festival"], closes_at=utcnow() - timedelta(seconds=1))
    body = page(client.post("/vote/award", follow_redirects=True))
    assert "Đã trao Giải do khán giả bình chọn cho 1 sáng kiến." in body
    with app.app_context():
        (award,) = db.session.execute(db.select(VisitorAward)).scalars().all()
        assert (award.exhibit_id, award.votes) == (vote_world["b1"], 2)
    assert "Giải do khán giả bình chọn đã được trao." in page(client.post("/vote/award", follow_redirects=True))
    public = page(app.test_client().get("/results"))
    assert "Giải do khán giả bình chọn" in public and "Phần mềm ca" in public
    # Certificates, like the other awards (the judges' results need not be final for this prize).
    client.post("/certificates/issue", data={"kind": "award"})
    with app.app_context():
        (certificate,) = (
            db.session.execute(db.select(Certificate).where(Certificate.kind == CertificateKind.AWARD)).scalars().all()
        )
        assert certificate.tier is AwardTier.VISITORS and certificate.recipient_key == "visitors:author:0"
        text = page_texts(certificate_printing.render_certificates([certificate]))[0]
        assert "Giải do khán giả bình chọn" in text
        # Issuing again adds nothing.
        festival = db.session.get(Festival, vote_world["festival"])
        assert certificates.issue(festival, CertificateKind.AWARD, utcnow().date(), None).added == 0


def test_tied_winners_all_get_the_prize(app, client, vote_world, login_as):
    for key, exhibit in (("guest", "a1"), ("guest2", "b1")):
        phone = app.test_client()
        link(phone, vote_world[f"{key}_token"])
        cast(phone, vote_world[exhibit])
    set_policy(app, vote_world["festival"], closes_at=utcnow() - timedelta(seconds=1))
    login_as("organizer")
    client.post("/vote/award")
    with app.app_context():
        assert sorted(a.exhibit_id for a in db.session.execute(db.select(VisitorAward)).scalars()) == sorted(
            [vote_world["a1"], vote_world["b1"]]
        )
    body = page(client.post("/vote/award/cancel", data={"reason": "Đếm lại phiếu giấy"}, follow_redirects=True))
    assert "Đã huỷ Giải do khán giả bình chọn." in body
    with app.app_context():
        assert db.session.execute(db.select(VisitorAward)).first() is None


# Settings ------------------------------------------------------------------------------------


def test_settings_default_to_off_and_the_festival_days_and_are_saved_with_an_audit_entry(app, client, people, login_as):
    login_as("organizer")
    body = page(client.get("/vote/settings"))
    assert "Để trống cả hai: theo ngày hội" in body
    response = client.post(
        "/vote/settings",
        data={"is_enabled": "y", "voter_roles": ["delegate", "guest"], "winners": "2", "opens_at": "", "closes_at": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.get(VotePolicy, people["ids"]["festival"])
        assert (policy.is_enabled, policy.voter_roles, policy.winners, policy.own_unit_allowed, policy.opens_at) == (
            True,
            ["delegate", "guest"],
            2,
            False,
            None,
        )
    assert actions(app, "vote.settings") == ["vote.settings_saved"]
    response = client.post(
        "/vote/settings",
        data={"is_enabled": "y", "winners": "1", "opens_at": "2026-12-02T10:00", "closes_at": "2026-12-02T09:00"},
        follow_redirects=True,
    )
    assert "Giờ đóng bình chọn phải sau giờ mở." in page(response)


def test_the_audit_log_shows_that_a_badge_voted_but_not_for_what_until_the_window_closes(
    app, client, vote_world, login_as
):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    cast(phone, vote_world["a2"])
    login_as("organizer")
    body = page(client.get("/admin/audit"))
    assert body.count("Một thẻ đã bình chọn. Bình chọn cho sáng kiến nào được giấu") == 2
    assert "vote.cast" in body and "vote.changed" in body
    assert f'"exhibit": {vote_world["a1"]}' not in body and f'"exhibit": {vote_world["a2"]}' not in body
    # Once the window has closed, the entries say what was chosen.
    set_policy(app, vote_world["festival"], closes_at=utcnow() - timedelta(seconds=1))
    body = page(client.get("/admin/audit"))
    assert "được giấu" not in body
    assert f'"exhibit": {vote_world["a2"]}' in body


def test_ending_the_window_earlier_while_sealed_is_an_unlock_with_a_reason(app, client, vote_world, login_as):
    phone = app.test_client()
    link(phone, vote_world["guest_token"])
    cast(phone, vote_world["a1"])
    login_as("organizer")
    soon = (utcnow() + timedelta(hours=7, minutes=1)).strftime("%Y-%m-%dT%H:%M")  # festival time is UTC+7
    earlier = {"is_enabled": "y", "winners": "1", "opens_at": "2026-01-01T08:00", "closes_at": soon}
    response = client.post("/vote/settings", data=earlier)
    assert response.status_code == 422
    assert "hãy ghi lý do" in page(response) and soon in page(response)  # what was typed stays
    with app.app_context():
        policy = db.session.get(VotePolicy, vote_world["festival"])
        assert policy.results_unlocked_at is None and policy.closes_at > utcnow() + timedelta(minutes=30)
    assert actions(app, "vote.results_unlocked") == []
    response = client.post("/vote/settings", data={**earlier, "reason": "Hội trường đóng cửa sớm"})
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.get(VotePolicy, vote_world["festival"])
        assert policy.results_unlocked_at is not None and policy.unlock_reason == "Hội trường đóng cửa sớm"
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "vote.results_unlocked")).scalar_one()
        assert (
            entry.after["reason"] == "Hội trường đóng cửa sớm"
            and entry.after["ends_at"]["after"] < (entry.after["ends_at"]["before"])
        )
    # Moving the end back later does not seal the counts again, and the tally says why they are open.
    later = (utcnow() + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M")
    client.post("/vote/settings", data={**earlier, "closes_at": later})
    body = page(client.get("/vote/tally"))
    assert "tally-all" in body and "Hội trường đóng cửa sớm" in body


def test_the_window_may_end_earlier_without_a_reason_before_anyone_voted(app, client, vote_world, login_as):
    login_as("organizer")
    soon = (utcnow() + timedelta(hours=7, minutes=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/vote/settings", data={"is_enabled": "y", "winners": "1", "opens_at": "2026-01-01T08:00", "closes_at": soon}
    )
    assert response.status_code == 302
    assert actions(app, "vote.results_unlocked") == []
