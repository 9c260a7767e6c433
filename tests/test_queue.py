"""The task queue runs a task in its own app context, so its database session is not the caller's."""

from festival.core.extensions import db
from festival.core.queue import huey, task
from festival.models import Unit
from tests import factories


@task()
def _rename_unit(unit_id: int, name: str) -> bool:
    unit = db.session.get(Unit, unit_id)
    unit.name = name
    db.session.commit()
    return db.session.registry.has()  # a session of its own, made in the task's context


def test_a_task_runs_in_its_own_app_context_and_commits(app):
    assert huey.immediate  # tests/conftest.py sets QUEUE_URL=immediate
    with app.app_context():
        unit_id = factories.make_unit(name="Cũ").id
        db.session.commit()  # (reading unit.id after this would begin the caller's own transaction)
        caller_session = db.session()

        result = _rename_unit(unit_id, "Công ty May Mới")

        assert result.get() is True
        assert db.session() is caller_session
        db.session.expire_all()
        assert db.session.get(Unit, unit_id).name == "Công ty May Mới"
