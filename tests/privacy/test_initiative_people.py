"""A person in the initiative register: found among its authors and the senders of ideas from a QR poster (name
without accents, or phone), their rows in the export, and erasure that anonymises them as exhibits' authors are
while the register's shares and remuneration stay."""

import json

import pytest

from festival.core.extensions import db
from festival.models import Initiative, InitiativeAuthor, InitiativeBenefit, InitiativeSource, User, utcnow
from festival.privacy import erasure
from festival.privacy.people import find, person_from_ids
from festival.privacy.person_data import collect
from festival.util.formatting import fold

HOA = "Nguyễn Thị Hoà"


@pytest.fixture
def register(app, people):
    """Unit A's register: Hoà an author (with a phone) of one initiative and the sender of another idea; someone
    else's initiative beside them."""
    with app.app_context():
        unit_a = people["ids"]["unit_a"]
        authored = Initiative(unit_id=unit_a, year=2026, number=1, title="Cữ gá may túi")
        authored.authors = [
            InitiativeAuthor(position=0, full_name=HOA, job_title="Tổ trưởng", phone="0912345678", share_percent=60),
            InitiativeAuthor(position=1, full_name="Trần Văn Bình", phone="0987000111", share_percent=40),
        ]
        authored.benefits = [InitiativeBenefit(year_index=1, benefit_vnd=90_000_000, remuneration_vnd=6_300_000)]
        sent = Initiative(
            unit_id=unit_a,
            year=2026,
            number=2,
            title="Thay đèn xưởng",
            source=InitiativeSource.INTAKE,
            submitter_name=HOA,
            submitter_phone="0912345678",
        )
        other = Initiative(
            unit_id=unit_a,
            year=2026,
            number=3,
            title="Băng tải",
            source=InitiativeSource.INTAKE,
            submitter_name="Lê Văn Tùng",
            submitter_phone="0977000222",
        )
        for initiative in (authored, sent, other):
            # The register keeps its search column folded, as the register's services write it.
            initiative.search_text = fold(initiative.searchable_text())
            db.session.add(initiative)
        db.session.commit()
        return {
            "author": authored.authors[0].id,
            "co_author": authored.authors[1].id,
            "sent": sent.id,
            "other": other.id,
            "authored": authored.id,
        }


def test_found_by_name_without_accents_and_by_phone(app, register):
    with app.app_context():
        matches = find("nguyen thi hoa")
        assert [i.id for i in matches.identities["initiative_author"]] == [register["author"]]
        assert [i.id for i in matches.identities["submitter"]] == [register["sent"]]
        matches = find("0912 345 678")
        assert [i.id for i in matches.identities["initiative_author"]] == [register["author"]]
        assert [i.id for i in matches.identities["submitter"]] == [register["sent"]]
        matches = find("le van tung")
        assert matches.identities["initiative_author"] == []
        assert [i.id for i in matches.identities["submitter"]] == [register["other"]]


def test_the_search_page_offers_them_to_tick_and_the_person_page_shows_their_rows(app, register, login_as):
    client = login_as("organizer")
    page = client.get("/admin/privacy/people?q=nguyen thi hoa").get_data(as_text=True)
    assert f'name="initiative_author" value="{register["author"]}"' in page
    assert f'name="submitter" value="{register["sent"]}"' in page
    page = client.get(
        f"/admin/privacy/people/person?initiative_author={register['author']}&submitter={register['sent']}"
    ).get_data(as_text=True)
    assert "SK-2026-001 – Cữ gá may túi" in page and "SK-2026-002 – Thay đèn xưởng" in page
    assert "Trần Văn Bình" not in page and "Lê Văn Tùng" not in page


def test_the_export_holds_their_register_rows_and_no_one_elses(app, register, login_as):
    client = login_as("organizer")
    response = client.post(
        "/admin/privacy/people/export.json",
        data={"initiative_author": register["author"], "submitter": register["sent"]},
    )
    assert response.status_code == 200
    document = json.loads(response.data)
    assert document["person"]["initiative_author_ids"] == [register["author"]]
    assert document["person"]["submission_ids"] == [register["sent"]]
    authors = document["tables"]["initiative_authors"]["rows"]
    assert [(r["id"], r["full_name"], r["phone"], r["share_percent"]) for r in authors] == [
        (register["author"], HOA, "0912345678", 60)
    ]
    submitted = document["tables"]["initiative_submitters"]["rows"]
    assert [(r["id"], r["submitter_name"], r["submitter_phone"]) for r in submitted] == [
        (register["sent"], HOA, "0912345678")
    ]
    text = response.get_data(as_text=True)
    assert "Trần Văn Bình" not in text and "0987000111" not in text and "Lê Văn Tùng" not in text


def test_erasure_anonymises_the_author_and_empties_the_sender_keeping_the_register(app, people, register):
    with app.app_context():
        person = person_from_ids(initiative_author_ids=[register["author"]], submission_ids=[register["sent"]])
        assert not person.is_empty and person.phones == {"0912345678"}
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        planned = {change.table: change.count for change in erasure.preview(person).changes}
        assert planned["initiative_authors"] == 1 and planned["initiative_submitters"] == 1
        erasure.erase(person, reason="Yêu cầu của chị Hoà", by=organizer, now=utcnow())
        db.session.commit()
        author = db.session.get(InitiativeAuthor, register["author"])
        assert (author.full_name, author.phone) == (app.config["ERASED_AUTHOR_NAME"], "")
        assert author.share_percent == 60 and author.job_title == "Tổ trưởng"
        assert author.initiative.benefits[0].remuneration_vnd == 6_300_000
        sent = db.session.get(Initiative, register["sent"])
        assert (sent.submitter_name, sent.submitter_phone) == ("", "")
        assert sent.title == "Thay đèn xưởng"
        co_author = db.session.get(InitiativeAuthor, register["co_author"])
        assert (co_author.full_name, co_author.phone) == ("Trần Văn Bình", "0987000111")
        assert db.session.get(Initiative, register["other"]).submitter_name == "Lê Văn Tùng"
        # The register's folded search column forgets the name too: the person is found nowhere any more.
        assert "nguyen thi hoa" not in db.session.get(Initiative, register["authored"]).search_text
        matches = find("nguyen thi hoa")
        assert matches.identities["initiative_author"] == [] and matches.identities["submitter"] == []
        sections = {s.table: s for s in collect(person)}
        assert HOA not in json.dumps([s.rows for s in sections.values()], default=str, ensure_ascii=False)
