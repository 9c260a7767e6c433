"""The judging policy: how results are ranked, tie-breaks, prize quotas; finalising with missing sheets."""

from decimal import Decimal

from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.judging.results import tie_label
from festival.models import AuditLog, Festival, ResultsMethod, utcnow

SETTINGS = {
    "method": "normalised",
    "shrinkage": "2",
    "spread_flag": "12",
    "tie_break": "3, 1",
    "first_prizes": "1",
    "second_prizes": "2",
    "third_prizes": "2",
    "honourable_percent": "40",
    "presentation_minutes": "0",
    "questions_minutes": "0",
}


def _policy(app, people):
    with app.app_context():
        policy = policy_for(db.session.get(Festival, people["ids"]["festival"]))
        return (
            policy.method,
            policy.tie_break,
            (policy.first_prizes, policy.second_prizes, policy.third_prizes),
            (policy.honourable_share),
        )


def test_organizer_sets_the_method_tie_breaks_and_quotas(app, client, login_as, people):
    login_as("organizer")
    response = client.post("/judging/settings", data=SETTINGS)
    assert response.status_code == 302
    assert _policy(app, people) == (ResultsMethod.NORMALISED, [2, 0], (1, 2, 2), Decimal("0.400"))
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "judging.policy_saved")).scalar_one()
        assert entry.after["tie_break"] == [2, 0] and entry.before["method"] == "mean"


def test_a_repeated_tie_break_is_refused_in_place_and_nothing_changes(app, client, login_as, people):
    login_as("organizer")
    before = _policy(app, people)
    response = client.post("/judging/settings", data={**SETTINGS, "tie_break": "3, 3"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Thứ tự xét bằng điểm là các số thứ tự tiêu chí khác nhau" in page
    assert 'value="3, 3"' in page  # what was typed is still there
    assert _policy(app, people) == before


def test_settings_cannot_change_once_results_are_final(app, client, login_as, people):
    with app.app_context():
        policy_for(db.session.get(Festival, people["ids"]["festival"])).finalised_at = utcnow()
        db.session.commit()
    login_as("organizer")
    response = client.post("/judging/settings", data=SETTINGS)
    assert response.status_code == 422
    assert "Kết quả đã chốt" in response.get_data(as_text=True)
    assert _policy(app, people)[0] is ResultsMethod.MEAN


def test_tie_labels_say_what_decided(app):
    with app.test_request_context():
        assert tie_label("criterion:2") == "tiêu chí 3"
        assert tie_label("benefit") == "giá trị làm lợi"
        assert tie_label("code") == "mã"


def test_finalising_with_unsubmitted_sheets_needs_the_confirmation(app, client, login_as, judged):
    login_as("organizer")
    page = client.post("/judging/finalise", follow_redirects=True).get_data(as_text=True)
    assert "Hãy xác nhận rằng các phiếu chưa nộp sẽ không được tính." in page
    with app.app_context():
        assert not policy_for(db.session.execute(db.select(Festival)).scalar_one()).is_final
