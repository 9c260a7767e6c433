"""The sheet revision protocol under random interleavings (hypothesis, stateful).

One to four clients (tabs, phones, tablets) edit one sheet. Their saves are sent, retried, lost
on the way back, or delivered late, in any order. The server is the real service; the clients
follow the protocol as static/js/scoring.js does: a save is the client's whole view, numbered,
with the revision its view was edited from, and an answer moves the client's untouched fields to
the server's values. Invariants:

- no acknowledged value is lost: a value the server answered as stored stays until a later save
  that saw it (or was told of a conflict on it) changes it;
- no older value over a newer one: a stored change to a field always comes from a save whose base
  included every other client's earlier change to that field;
- the history is complete: replaying the change rows gives the stored values, each row starting
  from the one before, and a retry writes nothing.
"""

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from festival.core.errors import StaleSave
from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import ExhibitStatus, Role, ScoreChange, ScoreSheet, SheetClient, utcnow
from tests import factories
from tests.conftest import make_app

FIELDS = ("a", "b", "comment")
POINTS = st.sampled_from([None, "0", "5", "7.5", "10"])
COMMENTS = st.sampled_from(["", "Tốt", "Khá", "Cần bổ sung"])


class Client:
    """One editing client, as scoring.js behaves."""

    def __init__(self, name):
        self.name = name
        self.values = {"a": None, "b": None, "comment": ""}
        self.base = 0
        self.seq = 0
        self.pending = None  # the newest unsent (or unanswered) save
        self.sent = []  # every save sent, for late deliveries


class Protocol(RuleBasedStateMachine):
    clients = Bundle("clients")

    def __init__(self):
        super().__init__()
        self.app = make_app(Path(tempfile.mkdtemp(dir=Protocol.tmp_path)))
        self.ctx = self.app.app_context()
        self.ctx.push()
        festival = factories.make_festival()
        unit = factories.make_unit()
        exhibit = factories.make_exhibit(
            festival, unit, factories.make_category(festival), status=ExhibitStatus.ACCEPTED
        )
        self.judge = factories.make_user(Role.JUDGE)
        rubric = rubrics.save_rubric(
            festival,
            None,
            [rubrics.CriterionInput("Tính mới", max_points=10), rubrics.CriterionInput("Hiệu quả", max_points=10)],
            by=None,
        )
        self.criteria = {"a": rubric.criteria[0].id, "b": rubric.criteria[1].id}
        sheet = ScoreSheet(exhibit=exhibit, judge=self.judge)
        db.session.add(sheet)
        db.session.commit()
        self.sheet_id = sheet.id
        self.acknowledged = {}  # field → (value, revision) the server last answered as stored
        self.count = 0

    def teardown(self):
        db.session.remove()
        db.engine.dispose()
        self.ctx.pop()

    # The server side ---------------------------------------------------------------------

    def stored(self):
        db.session.expire_all()
        sheet = db.session.get(ScoreSheet, self.sheet_id)
        values = {"a": None, "b": None, "comment": sheet.comment}
        for score in sheet.scores:
            name = "a" if score.criterion_id == self.criteria["a"] else "b"
            values[name] = ScoreChange.text_of(score.points)
        return values, sheet.revision

    def deliver(self, client, save):
        """Send one save to the real service; returns the answer, or None when refused."""
        sheet = db.session.get(ScoreSheet, self.sheet_id)
        data = scoring.SheetInput(
            client_id=client.name,
            seq=save["seq"],
            points={self.criteria[f]: (Decimal(save["values"][f]) if save["values"][f] else None) for f in "ab"},
            answers={},
            comment=save["values"]["comment"],
            base=save["base"],
        )
        try:
            result = scoring.save_sheet(sheet, self.judge, data, utcnow() + timedelta(seconds=1))
        except StaleSave:
            db.session.rollback()
            return None
        answer = {
            "status": result.status,
            "state": scoring.sheet_state(result.sheet),
            "conflicts": [(c.field, c.criterion_id) for c in result.conflicts],
        }
        db.session.commit()
        return answer

    # Rules -----------------------------------------------------------------------------------

    @precondition(lambda self: self.count < 4)
    @rule(target=clients)
    def open_page(self):
        self.count += 1
        client = Client(f"page-{self.count}")
        client.values, client.base = self.stored()
        return client

    @rule(client=clients, name=st.sampled_from(FIELDS), points=POINTS, comment=COMMENTS)
    def edit(self, client, name, points, comment):
        client.values[name] = comment if name == "comment" else points
        client.seq += 1
        client.pending = {"seq": client.seq, "base": client.base, "values": dict(client.values)}

    @rule(client=clients, answer_arrives=st.booleans())
    def send(self, client, answer_arrives):
        if client.pending is None:
            return
        save = client.pending
        client.sent.append(save)
        before, revision_before = self.stored()
        answer = self.deliver(client, save)
        if answer is None:  # refused as older than a save this client already sent
            client.pending = None
            return
        after, revision = self.stored()
        self.check_change(client, save, before, after, revision_before, answer)
        if answer_arrives:
            client.pending = None if client.pending is save else client.pending
            conflicted = {("comment" if f == "comment" else self.name_of(c)) for f, c in answer["conflicts"]}
            for name in FIELDS:
                if name not in conflicted:
                    if client.values[name] == save["values"][name]:
                        client.values[name] = after[name]  # the untouched field follows the server
                    self.acknowledged[name] = (after[name], revision)
                # a conflicted field keeps what this client typed, and its next save is based past it
            client.base = answer["state"]["revision"]

    @rule(client=clients, data=st.data())
    def late_delivery(self, client, data):
        """An older save of this client arrives again (a retry that crossed a newer one)."""
        if not client.sent:
            return
        save = data.draw(st.sampled_from(client.sent))
        before, revision = self.stored()
        answer = self.deliver(client, save)
        after, revision_after = self.stored()
        # Every save picked here was delivered before: it is a retry (the newest) or late (older).
        newest = save["seq"] == max(sent["seq"] for sent in client.sent)
        assert (answer is not None and answer["status"] == "duplicate") if newest else answer is None
        assert (after, revision_after) == (before, revision), "a retry or late save wrote something"

    def name_of(self, criterion_id):
        return "a" if criterion_id == self.criteria["a"] else "b"

    def check_change(self, client, save, before, after, revision_before, answer):
        """A save changes a field only if no other client changed it since the save's base."""
        rows = db.session.execute(
            db.select(ScoreChange.field, ScoreChange.criterion_id, ScoreChange.client_id, ScoreChange.revision)
            .where(ScoreChange.sheet_id == self.sheet_id, ScoreChange.field.in_(("points", "comment")))
            .order_by(ScoreChange.id)
        ).all()
        for name in FIELDS:
            if before[name] == after[name]:
                continue
            assert after[name] == save["values"][name], "a field took a value nobody sent"
            key = ("comment", None) if name == "comment" else ("points", self.criteria[name])
            unseen = [
                r.revision
                for r in rows
                if (r.field, r.criterion_id) == key
                and r.client_id != client.name
                and save["base"] < r.revision <= revision_before
            ]
            assert not unseen, f"{name}: {client.name}'s save (base {save['base']}) over a newer value ({unseen})"

    # Invariants ------------------------------------------------------------------------------

    @invariant()
    def history_replays_to_the_stored_values(self):
        values, revision = self.stored()
        replay = {"a": None, "b": None, "comment": ""}
        last = {}
        for field, criterion_id, old, new in db.session.execute(
            db.select(ScoreChange.field, ScoreChange.criterion_id, ScoreChange.old_value, ScoreChange.new_value)
            .where(ScoreChange.sheet_id == self.sheet_id, ScoreChange.field.in_(("points", "comment")))
            .order_by(ScoreChange.id)
        ):
            name = "comment" if field == "comment" else self.name_of(criterion_id)
            assert (old or None) == (last.get(name) or None), f"{name}: a history row does not start from the last"
            replay[name] = new if name != "comment" else (new or "")
            last[name] = new
        assert replay == values

    @invariant()
    def acknowledged_values_stay_until_a_later_change(self):
        values, revision = self.stored()
        for name, (value, at) in self.acknowledged.items():
            if values[name] != value:
                # Only a change made after the acknowledgement may have replaced it.
                key = ("comment", None) if name == "comment" else ("points", self.criteria[name])
                later = db.session.execute(
                    db.select(ScoreChange.id).where(
                        ScoreChange.sheet_id == self.sheet_id,
                        ScoreChange.field == key[0],
                        ScoreChange.criterion_id.is_(None) if key[1] is None else ScoreChange.criterion_id == key[1],
                        ScoreChange.revision > at,
                    )
                ).first()
                assert later is not None, f"{name}: the acknowledged {value!r} was lost"

    @invariant()
    def every_client_row_names_a_revision_the_sheet_had(self):
        revision = self.stored()[1]
        rows = db.session.execute(db.select(SheetClient).where(SheetClient.sheet_id == self.sheet_id)).scalars()
        assert all(row.revision <= revision for row in rows)


@pytest.fixture
def protocol_machine(tmp_path):
    Protocol.tmp_path = tmp_path
    return Protocol


def test_the_protocol_keeps_every_acknowledged_value_and_never_puts_an_older_over_a_newer(protocol_machine):
    protocol_machine.TestCase.settings = settings(
        max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
    )
    protocol_machine.TestCase().runTest()
