"""The retention purge: a dry run changes nothing and lists what is due; the real run removes exactly that, and
the festival's records (exhibit, authors, votes, award) stay whole."""

import pytest

from festival.core import storage
from festival.core.extensions import db
from festival.models import (
    Attendee,
    Author,
    Award,
    CheckIn,
    Exhibit,
    Festival,
    HeldScan,
    MailMessage,
    PurgeRun,
    RetentionSetting,
    SignInFailures,
    UserSession,
    Vote,
    VoteDevice,
    utcnow,
)
from festival.privacy import inventory, retention
from festival.privacy.schedule import purge_expired


def personal_data() -> dict:
    """Every purged category's personal values as they stand: {category: {row id or file key: values}}."""
    found = {}
    for category in inventory.PURGED:
        if category.store_area:
            found[category.key] = {o.key: o.size for o in storage.store(category.store_area).list()}
            continue
        key = retention.sa_primary_key(category.model)
        columns = [getattr(category.model, name) for name in category.columns]
        rows = db.session.execute(db.select(key, *columns)).all()
        found[category.key] = {row[0]: tuple(row[1:]) for row in rows}
    return found


def changed(before: dict, after: dict) -> dict:
    return {
        key: sorted((rid for rid in before[key] if after[key].get(rid, "gone") != before[key][rid]), key=str)
        for key in before
    }


def test_every_category_names_real_columns_and_every_purged_one_a_period():
    for category in inventory.CATEGORIES:
        if category.model is not None:
            for name in (*category.columns, *category.cleared):
                assert hasattr(category.model, name), (category.key, name)
    for category in inventory.PURGED:
        assert category.action in (inventory.DELETE, inventory.CLEAR)
        assert category.min_days <= category.default_days


# Columns that name a person or reach one, wherever a model has them; not personal where listed here.
PERSONAL_COLUMNS = {
    "subject_name",
    "people_description",
    "email",
    "phone",
    "full_name",
    "recipient_email",
    "recipient_name",
    "user_agent",
    "address",
    "account_key",
    "job_title",
    "signatory_name",
    "badge_token",
    "token",
    "device",
    "comment",
    "old_value",
    "new_value",
    "submitter_name",
    "submitter_phone",
    "original_name",
    "judge_id",
}
NOT_PERSONAL = {("festivals", "address")}  # the venue's address


def test_every_personal_column_of_every_model_is_declared():
    declared = {(c.model.__tablename__, name) for c in inventory.CATEGORIES if c.model for name in c.columns}
    missing = [
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name in PERSONAL_COLUMNS and (table.name, column.name) not in declared | NOT_PERSONAL
    ]
    assert missing == []


def test_dry_run_changes_nothing_and_lists_what_is_due(app, world):
    with app.app_context():
        before = personal_data()
        old = db.session.get(Festival, world["old"])
        report = retention.purge(old, utcnow(), dry_run=True)
        db.session.commit()
        assert personal_data() == before
        counts = report.counts
        assert counts["attendee_contact"] == 3
        assert counts["gate_scans"] == 3 and counts["arrivals"] == 3 and counts["held_scans"] == 1
        assert counts["vote_devices"] == 3 and counts["votes"] == 3
        assert counts["mail_bodies"] == 1  # the queued message is not finished: its body is still needed
        assert counts["sessions"] == 1 and counts["sign_in_failures"] == 1
        assert counts["staged_imports"] == 1 and counts["finished_prints"] == 1
        run = db.session.execute(db.select(PurgeRun)).scalar_one()
        assert run.dry_run and run.counts == counts


def test_real_run_removes_exactly_what_the_dry_run_listed(app, world):
    with app.app_context():
        old = db.session.get(Festival, world["old"])
        now = utcnow()
        listed = {item.category.key: sorted(item.ids, key=str) for item in retention.purge(old, now, True).due}
        before = personal_data()
        retention.purge(old, now, dry_run=False)
        db.session.commit()
        db.session.expire_all()
        assert changed(before, personal_data()) == listed
        # The second run finds nothing left.
        assert retention.purge(old, now, dry_run=True).total == 0


def test_purge_keeps_the_records_whole(app, world):
    with app.app_context():
        old = db.session.get(Festival, world["old"])
        votes_before = db.session.scalar(db.select(db.func.count(Vote.id)).where(Vote.festival_id == old.id))
        retention.purge(old, utcnow(), dry_run=False)
        db.session.commit()
        exhibit = db.session.get(Exhibit, world["exhibit"])
        assert exhibit is not None and [a.full_name for a in exhibit.authors] == ["Trần Thị Bình"]
        assert db.session.execute(db.select(Award).where(Award.exhibit_id == exhibit.id)).scalar_one().rank == 1
        votes = db.session.execute(db.select(Vote).where(Vote.festival_id == old.id)).scalars().all()
        assert len(votes) == votes_before == 3 and {v.exhibit_id for v in votes} == {exhibit.id}
        assert {v.address for v in votes} == {""}
        people = db.session.execute(db.select(Attendee).where(Attendee.id.in_(world["people"]))).scalars().all()
        assert [(p.email, p.phone, p.checked_in_at) for p in people] == [(None, None, None)] * 3
        assert all(p.full_name.startswith("Người tham dự") for p in people)
        assert "@" not in people[0].search_text  # the folded search copy lost the address too
        scans = db.session.execute(db.select(CheckIn).where(CheckIn.festival_id == old.id)).scalars().all()
        assert len(scans) == 3 and {s.attendee_id for s in scans} == {None}
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(HeldScan).where(HeldScan.festival_id == old.id))
            == 0
        )
        assert db.session.execute(db.select(VoteDevice).where(VoteDevice.attendee_id.in_(world["people"]))).all() == []
        sent = (
            db.session.execute(db.select(MailMessage).where(MailMessage.festival_id == old.id).order_by(MailMessage.id))
            .scalars()
            .all()
        )
        assert [(m.body_text, m.facts, m.recipient_email != "") for m in sent] == [
            ("", {}, True),
            ("Chào anh, số điện thoại của anh là 0901", {"phone": "0901"}, True),
        ]
        assert [s.user_agent for s in db.session.execute(db.select(UserSession)).scalars()] == ["Chrome"]
        assert [f.account_key for f in db.session.execute(db.select(SignInFailures)).scalars()] == ["moi@example.vn"]
        assert [o.key for o in storage.store("imports").list()] == ["fresh.xlsx"]
        assert [o.key for o in storage.store("prints").list()] == ["badges-new.pdf"]
        # The finished message's .eml (it holds the body) went with the body; the queued one's is still needed.
        assert [
            (m.outbox_file, storage.store("outbox").exists(f"m{old.edition}-{n}.eml")) for n, m in enumerate(sent)
        ] == [
            (None, False),
            (f"m{old.edition}-1.eml", True),
        ]
        assert db.session.get(Author, exhibit.authors[0].id) is not None


def test_a_festival_just_ended_keeps_its_data(app, world):
    with app.app_context():
        recent = db.session.get(Festival, world["recent"])
        report = retention.purge(recent, utcnow(), dry_run=False)
        assert report.total == 0
        assert {item.category.key for item in report.due if item.cutoff is None} >= {"attendee_contact", "votes"}
        # Categories not tied to a festival go with the current festival only.
        assert "sessions" not in report.counts


def test_a_saved_period_is_the_one_the_purge_uses(app, world):
    with app.app_context():
        recent = db.session.get(Festival, world["recent"])
        db.session.add(RetentionSetting(festival_id=recent.id, category="attendee_contact", days=30))
        db.session.commit()
        assert retention.periods(recent)["attendee_contact"] == 30
        # Ended yesterday: still within 30 days.
        assert retention.purge(recent, utcnow(), dry_run=True).counts["attendee_contact"] == 0


def test_the_scheduled_task_purges_every_festival_and_records_it(app, world):
    with app.app_context():
        total = purge_expired.call_local()
        runs = db.session.execute(db.select(PurgeRun).order_by(PurgeRun.festival_id)).scalars().all()
        assert [(r.festival_id, r.scheduled, r.dry_run) for r in runs] == [
            (world["old"], True, False),
            (world["recent"], True, False),
        ]
        assert total == runs[0].total > 0 and runs[1].total == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_cli_reports_and_dry_run_changes_nothing(app, world, dry_run):
    runner = app.test_cli_runner()
    with app.app_context():
        before = personal_data()
    result = runner.invoke(args=["festival", "privacy-purge", *(["--dry-run"] if dry_run else [])])
    assert result.exit_code == 0, result.output
    assert "Festival 1: " + ("would remove" if dry_run else "removed") + " 21 item(s)." in result.output
    assert "attendee_contact: 3 (clear)" in result.output
    assert "Festival 2: " in result.output and "not due yet" in result.output
    with app.app_context():
        assert (personal_data() == before) is dry_run
