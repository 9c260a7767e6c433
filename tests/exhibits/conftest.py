"""Shared helpers for exhibit tests."""

import pytest

from festival.core.extensions import db
from festival.models import Exhibit


def exhibit_form(category_id, **changes):
    """What the registration form posts: title, category, two authors and the details."""
    data = {
        "title": "Cữ gá may túi tự động",
        "category_id": str(category_id),
        "authors-0-full_name": "Nguyễn Văn An",
        "authors-0-job_title": "Tổ trưởng tổ may",
        "authors-0-department": "Xưởng may 2",
        "authors-1-full_name": "Trần Thị Bình",
        "authors-1-job_title": "Kỹ thuật chuyền",
        "summary": "Cữ gá giúp may túi nhanh và đều.",
        "problem": "May túi thủ công chậm.",
        "solution": "Thiết kế cữ gá.",
        "results": "Năng suất tăng 20%.",
        "benefit": "1.500.000.000",
        "applied_since": "2022",
        "scope": "own_unit",
    }
    data.update(changes)
    return data


@pytest.fixture
def get_exhibit(app):
    def get(exhibit_id):
        with app.app_context():
            exhibit = db.session.get(Exhibit, exhibit_id)
            return exhibit and {
                "status": exhibit.status,
                "title": exhibit.title,
                "code": exhibit.code,
                "booth": exhibit.booth,
                "benefit_vnd": exhibit.benefit_vnd,
                "authors": [(a.full_name, a.job_title, a.department) for a in exhibit.authors],
                "attachments": [
                    (a.original_name, a.content_type, a.stored_name, a.thumbnail_name) for a in exhibit.attachments
                ],
                "review_comment": exhibit.review_comment,
            }

    return get


def count_exhibits(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Exhibit))
