"""The attendee import reads its lookups once: its statement count does not grow with the rows."""

import sqlalchemy as sa

from festival.badges import import_export
from festival.core.extensions import db
from festival.models import Attendee, AuditLog, Festival
from tests.sql import statements_sent


def _csv(rows: int) -> bytes:
    lines = ["Họ và tên,Mã đơn vị,Vai trò,E-mail,Số điện thoại"]
    lines += [f"Người {n},UNITA,Đại biểu,nguoi{n}@example.vn,09{n:08d}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _statements_to_import(app, festival_id: int, rows: int) -> int:
    with app.app_context():
        with statements_sent(db.engine) as statements:
            created = import_export.import_attendees(db.session.get(Festival, festival_id), _csv(rows), by=None)
            db.session.commit()
        assert len(created) == rows
        return len(statements)


def test_a_thousand_row_import_takes_a_bounded_number_of_statements(app, people):
    festival_id = people["ids"]["festival"]
    statements = _statements_to_import(app, festival_id, 1000)
    assert statements <= 40, statements  # was about 4 per row
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendee)) == 1000
        added = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "attendee.added")
        )
        assert added == 1000
        found = db.session.execute(sa.select(Attendee.search_text).where(Attendee.full_name == "Người 7")).scalar_one()
        assert found == "nguoi 7 nguoi7@example.vn 0900000007 unita"
