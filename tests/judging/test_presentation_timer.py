"""The defence timer's setting (minutes to present, then to answer) and its block on the judge's sheet."""

import pytest

from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import AuditLog, Festival
from tests.judging.test_policy import SETTINGS


def _timer(app, festival_id):
    with app.app_context():
        policy = policy_for(db.session.get(Festival, festival_id))
        return policy.presentation_minutes, policy.questions_minutes


def _set_timer(app, festival_id, presentation, questions):
    with app.app_context():
        policy = policy_for(db.session.get(Festival, festival_id))
        policy.presentation_minutes, policy.questions_minutes = presentation, questions
        db.session.commit()


def test_a_festival_has_no_timer_until_the_organizer_sets_one(app, people):
    assert _timer(app, people["ids"]["festival"]) == (0, 0)


def test_organizer_sets_the_timer_and_the_change_is_audited(app, client, login_as, people):
    login_as("organizer")
    response = client.post(
        "/judging/settings", data={**SETTINGS, "presentation_minutes": "7", "questions_minutes": "5"}
    )
    assert response.status_code == 302
    assert _timer(app, people["ids"]["festival"]) == (7, 5)
    page = client.get("/judging/settings").get_data(as_text=True)
    assert 'value="7"' in page and 'value="5"' in page
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "judging.policy_saved")).scalar_one()
        assert entry.before["timer"] == [0, 0] and entry.after["timer"] == [7, 5]


@pytest.mark.parametrize(
    "typed, message",
    [
        ({"presentation_minutes": "61", "questions_minutes": "5"}, "Thời gian trình bày là số phút từ 0 đến 60"),
        ({"presentation_minutes": "7", "questions_minutes": "-1"}, "Thời gian hỏi đáp là số phút từ 0 đến 60."),
        ({"presentation_minutes": "", "questions_minutes": "5"}, "Trường này là bắt buộc."),
        ({"presentation_minutes": "0", "questions_minutes": "5"}, "Hãy đặt thời gian trình bày"),
    ],
)
def test_a_wrong_timer_is_refused_in_place_and_nothing_changes(app, client, login_as, people, typed, message):
    login_as("organizer")
    response = client.post("/judging/settings", data={**SETTINGS, **typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    for name, value in typed.items():
        assert f'id="{name}"' in page and f'value="{value}"' in page  # what was typed is still there
    assert _timer(app, people["ids"]["festival"]) == (0, 0)
    with app.app_context():
        assert not db.session.execute(db.select(AuditLog).where(AuditLog.action == "judging.policy_saved")).first()


def test_the_sheet_shows_the_timer_only_when_the_festival_has_one(app, client, auth, people, judged):
    auth.login(judged["emails"]["judge"])
    sheet_id = next(i for (_, email), i in judged["sheets"].items() if email == judged["emails"]["judge"])
    url = f"/judging/sheets/{sheet_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="presentation-timer"' not in page and "presentation-timer.js" not in page

    _set_timer(app, people["ids"]["festival"], 7, 5)
    page = client.get(url).get_data(as_text=True)
    assert 'id="presentation-timer"' in page and 'role="timer"' in page
    assert 'data-presentation-seconds="420"' in page and 'data-questions-seconds="300"' in page
    assert "Bắt đầu trình bày" in page and "Chưa bắt đầu: trình bày 7 phút, hỏi đáp 5 phút" in page
    assert "js/presentation-timer.js" in page
    assert page.index('id="presentation-timer"') < page.index('id="sheet-form"')  # above the criteria
