"""A festival with final results: two awarded exhibits (one with two authors) and one without a prize."""

from decimal import Decimal

import pytest

from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import Award, AwardTier, Category, ExhibitStatus, Festival, Unit, utcnow
from tests import factories


@pytest.fixture
def awarded(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        category = db.session.get(Category, people["ids"]["category"])
        unit_a, unit_b = db.session.get(Unit, people["ids"]["unit_a"]), db.session.get(Unit, people["ids"]["unit_b"])
        first = factories.make_exhibit(
            festival,
            unit_b,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
            title="Cữ gá may túi tự động",
            authors=("Nguyễn Thị Hằng", "Trần Văn Đức"),
        )
        third = factories.make_exhibit(
            festival,
            unit_a,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-02",
            title="Bàn là hơi tiết kiệm điện",
            authors=("Phạm Ngọc Ánh",),
        )
        plain = factories.make_exhibit(
            festival,
            unit_a,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-03",
            title="Giá treo cuộn chỉ",
            authors=("Lê Thu Trang",),
        )
        db.session.add_all(
            [
                Award(festival=festival, exhibit=first, tier=AwardTier.FIRST, rank=1, score=Decimal("90")),
                Award(festival=festival, exhibit=third, tier=AwardTier.THIRD, rank=2, score=Decimal("80")),
            ]
        )
        policy_for(festival).finalised_at = utcnow()
        db.session.commit()
        return {"festival": festival.id, "first": first.id, "third": third.id, "plain": plain.id}
