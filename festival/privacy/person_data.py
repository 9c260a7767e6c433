"""Everything Festival holds about one person, table by table, with labels a person can read: what an export of
their data (the right to a copy) is made of. Secrets (password and link hashes, badge tokens, device secrets) are
never read into it, and other people appear only by their role."""

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from festival.core.extensions import db
from festival.models import (
    Attendee,
    AuditLog,
    Author,
    BoothScoreChange,
    BoothSheet,
    Certificate,
    CheckIn,
    Conflict,
    Consent,
    Exhibit,
    HeldScan,
    Initiative,
    InitiativeAuthor,
    MailMessage,
    RevokedBadge,
    ScoreChange,
    ScoreSheet,
    SignInFailures,
    User,
    UserSession,
    Vote,
    VoteDevice,
)
from festival.privacy.consent import HOW_LABELS, PURPOSE_LABELS
from festival.privacy.people import Person, json_forms


@dataclass(frozen=True)
class Column:
    key: str  # the table's column name (or a readable stand-in for a linked row): the JSON key
    vi: str
    en: str
    choices: dict[str, Any] | None = None  # a code's label for people (JSON keeps the code)


@dataclass(frozen=True)
class Section:
    """The rows of one table held about the person, as {column key: value}."""

    table: str
    title: tuple[str, str]  # (Vietnamese, English)
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]

    def labels(self, language: str = "vi") -> list[str]:
        return [column.en if language == "en" else column.vi for column in self.columns]


ID = Column("id", "Mã dòng", "Row id")
CREATED = Column("created_at", "Tạo lúc", "Created at")
FESTIVAL = Column("festival", "Ngày hội", "Festival")
EXHIBIT = Column("exhibit", "Sáng kiến", "Exhibit")


def _exhibit(exhibit: Exhibit) -> str:
    return f"{exhibit.code} – {exhibit.title}" if exhibit.code else exhibit.title


def _section(table, title, columns, rows) -> Section:
    return Section(table, title, tuple(columns), tuple(rows))


def collect(person: Person) -> list[Section]:
    """Every row held about `person`, one section per table (in a fixed order, empty tables included), in a
    fixed number of queries."""
    users = sorted(person.user_ids)
    attendees = sorted(person.attendee_ids)
    authors = sorted(person.author_ids)
    return [
        _accounts(users),
        _sessions(users),
        _sign_in_failures(person.emails),
        _score_sheets(users),
        _score_changes(users),
        _booth_sheets(users),
        _booth_score_changes(users),
        _conflicts(users),
        _attendees(attendees),
        _check_ins(attendees),
        _held_scans(attendees),
        _revoked_badges(attendees),
        _vote_devices(attendees),
        _votes(attendees),
        _authors(authors),
        _initiative_authors(sorted(person.initiative_author_ids)),
        _initiative_submissions(sorted(person.submission_ids)),
        _certificates(authors),
        _consents(users, attendees, authors),
        _mail(users, attendees, person.emails),
        _audit(person),
    ]


def _rows(stmt) -> list:
    return list(db.session.scalars(stmt).all())


def _table(table, title, columns, stmt, **linked) -> Section:
    """A section of the rows `stmt` selects: each column read from the row, or by `linked[key](row)`."""
    rows = [
        {
            column.key: linked[column.key](row) if column.key in linked else getattr(row, column.key)
            for column in columns
        }
        for row in _rows(stmt)
    ]
    return _section(table, title, columns, rows)


def _accounts(ids) -> Section:
    columns = [
        ID,
        Column("email", "E-mail", "E-mail"),
        Column("full_name", "Họ và tên", "Full name"),
        Column("role", "Vai trò", "Role"),
        Column("unit", "Đơn vị", "Unit"),
        Column("is_active", "Đang hoạt động", "Active"),
        Column("language", "Ngôn ngữ", "Language"),
        Column("no_email", "Không nhận e-mail", "No e-mail"),
        Column("email_problem", "Lỗi địa chỉ e-mail", "E-mail problem"),
        Column("email_failed_at", "E-mail lỗi lúc", "E-mail failed at"),
        Column("invitation_expires_at", "Lời mời hết hạn lúc", "Invitation expires at"),
        Column("reset_expires_at", "Liên kết đặt lại mật khẩu hết hạn lúc", "Password reset link expires at"),
        CREATED,
        Column("last_login_at", "Đăng nhập gần nhất", "Last sign-in"),
        Column("sessions_ended_at", "Đăng xuất mọi thiết bị lúc", "Signed out everywhere at"),
    ]
    stmt = db.select(User).where(User.id.in_(ids)).options(selectinload(User.unit)).order_by(User.id)
    return _table("users", ("Tài khoản", "Accounts"), columns, stmt, unit=lambda u: u.unit.name if u.unit else None)


def _sessions(user_ids) -> Section:
    columns = [
        ID,
        Column("user_id", "Tài khoản", "Account"),
        Column("user_agent", "Trình duyệt", "Browser"),
        Column("remember", "Ghi nhớ đăng nhập", "Remember me"),
        CREATED,
        Column("expires_at", "Hết hạn lúc", "Expires at"),
        Column("last_report_at", "Thiết bị báo gần nhất", "Device last reported at"),
        Column("pending_changes", "Thay đổi đang chờ gửi", "Changes waiting"),
    ]
    stmt = db.select(UserSession).where(UserSession.user_id.in_(user_ids)).order_by(UserSession.created_at)
    return _table("user_sessions", ("Phiên đăng nhập", "Signed-in sessions"), columns, stmt)


def _sign_in_failures(emails) -> Section:
    columns = [
        Column("account_key", "E-mail đã gõ", "E-mail typed"),
        Column("failures", "Số lần sai mật khẩu", "Wrong passwords"),
        Column("last_failed_at", "Lần sai gần nhất", "Last failed at"),
        Column("delayed_until", "Phải chờ đến", "Delayed until"),
    ]
    stmt = db.select(SignInFailures).where(SignInFailures.account_key.in_(sorted(emails)))
    return _table("sign_in_failures", ("Đăng nhập sai", "Failed sign-ins"), columns, stmt)


def _score_sheets(user_ids) -> Section:
    columns = [
        ID,
        EXHIBIT,
        Column("status", "Trạng thái", "Status"),
        Column("comment", "Nhận xét", "Comment"),
        Column("assigned_at", "Được phân công lúc", "Assigned at"),
        Column("submitted_at", "Nộp lúc", "Submitted at"),
        Column("updated_at", "Sửa lúc", "Updated at"),
        Column("conflict_kept_reason", "Lý do vẫn chấm khi có xung đột", "Why kept despite a conflict"),
    ]
    stmt = (
        db.select(ScoreSheet)
        .where(ScoreSheet.judge_id.in_(user_ids))
        .options(selectinload(ScoreSheet.exhibit))
        .order_by(ScoreSheet.id)
    )
    return _table(
        "score_sheets", ("Phiếu chấm điểm", "Score sheets"), columns, stmt, exhibit=lambda s: _exhibit(s.exhibit)
    )


def _score_changes(user_ids) -> Section:
    columns = [
        ID,
        Column("sheet_id", "Phiếu chấm", "Score sheet"),
        Column("field", "Mục", "Field"),
        Column("old_value", "Giá trị cũ", "Old value"),
        Column("new_value", "Giá trị mới", "New value"),
        CREATED,
    ]
    stmt = db.select(ScoreChange).where(ScoreChange.user_id.in_(user_ids)).order_by(ScoreChange.id)
    return _table("score_changes", ("Thay đổi điểm", "Score changes"), columns, stmt)


def _booth_sheets(user_ids) -> Section:
    columns = [
        ID,
        FESTIVAL,
        Column("unit", "Gian hàng của đơn vị", "Booth of the unit"),
        Column("status", "Trạng thái", "Status"),
        Column("comment", "Nhận xét", "Comment"),
        Column("assigned_at", "Được phân công lúc", "Assigned at"),
        Column("submitted_at", "Nộp lúc", "Submitted at"),
        Column("updated_at", "Sửa lúc", "Updated at"),
    ]
    stmt = (
        db.select(BoothSheet)
        .where(BoothSheet.judge_id.in_(user_ids))
        .options(selectinload(BoothSheet.unit), selectinload(BoothSheet.festival))
        .order_by(BoothSheet.id)
    )
    return _table(
        "booth_sheets",
        ("Phiếu chấm gian hàng", "Booth score sheets"),
        columns,
        stmt,
        festival=lambda s: s.festival.name,
        unit=lambda s: s.unit.name,
    )


def _booth_score_changes(user_ids) -> Section:
    columns = [
        ID,
        Column("sheet_id", "Phiếu chấm gian hàng", "Booth score sheet"),
        Column("field", "Mục", "Field"),
        Column("old_value", "Giá trị cũ", "Old value"),
        Column("new_value", "Giá trị mới", "New value"),
        CREATED,
    ]
    stmt = db.select(BoothScoreChange).where(BoothScoreChange.user_id.in_(user_ids)).order_by(BoothScoreChange.id)
    return _table("booth_score_changes", ("Thay đổi điểm gian hàng", "Booth score changes"), columns, stmt)


def _conflicts(user_ids) -> Section:
    columns = [ID, EXHIBIT, Column("reason", "Lý do", "Reason"), CREATED]
    stmt = (
        db.select(Conflict)
        .where(Conflict.judge_id.in_(user_ids))
        .options(selectinload(Conflict.exhibit))
        .order_by(Conflict.id)
    )
    return _table(
        "conflicts",
        ("Xung đột lợi ích đã khai", "Conflicts of interest declared"),
        columns,
        stmt,
        exhibit=lambda c: _exhibit(c.exhibit),
    )


def _attendees(ids) -> Section:
    columns = [
        ID,
        FESTIVAL,
        Column("full_name", "Họ và tên", "Full name"),
        Column("unit", "Đơn vị", "Unit"),
        Column("organisation", "Tổ chức", "Organisation"),
        Column("role", "Vai trò trên thẻ", "Badge role"),
        Column("email", "E-mail", "E-mail"),
        Column("phone", "Điện thoại", "Phone"),
        Column("source", "Nguồn", "Source"),
        Column("user_id", "Tài khoản", "Account"),
        Column("no_email", "Không nhận e-mail", "No e-mail"),
        Column("email_problem", "Lỗi địa chỉ e-mail", "E-mail problem"),
        Column("token_issued_at", "Cấp thẻ lúc", "Badge issued at"),
        Column("printed_at", "In thẻ lúc", "Badge printed at"),
        Column("checked_in_at", "Đến lúc", "Arrived at"),
        Column("checked_in_gate", "Cổng", "Gate"),
        CREATED,
    ]
    stmt = (
        db.select(Attendee)
        .where(Attendee.id.in_(ids))
        .options(selectinload(Attendee.festival), selectinload(Attendee.unit), selectinload(Attendee.role))
        .order_by(Attendee.id)
    )
    return _table(
        "attendees",
        ("Thẻ tham dự", "Badges (attendees)"),
        columns,
        stmt,
        festival=lambda a: a.festival.name,
        unit=lambda a: a.unit.name if a.unit else None,
        role=lambda a: a.role.name_vi,
    )


def _check_ins(attendee_ids) -> Section:
    columns = [
        ID,
        Column("attendee_id", "Thẻ", "Badge"),
        Column("gate", "Cổng", "Gate"),
        Column("result", "Kết quả", "Result"),
        Column("reason", "Lý do", "Reason"),
        Column("method", "Cách", "Method"),
        Column("offline", "Quét khi mất mạng", "Scanned offline"),
        Column("staff_role", "Người quét (vai trò)", "Scanned by (role)"),
        Column("scanned_at", "Quét lúc", "Scanned at"),
        Column("received_at", "Máy chủ nhận lúc", "Received at"),
    ]
    stmt = (
        db.select(CheckIn, User.role)
        .outerjoin(User, User.id == CheckIn.staff_id)
        .where(CheckIn.attendee_id.in_(attendee_ids))
        .order_by(CheckIn.scanned_at, CheckIn.id)
    )
    rows = [
        {column.key: role if column.key == "staff_role" else getattr(scan, column.key) for column in columns}
        for scan, role in db.session.execute(stmt).all()
    ]
    return _section("check_ins", ("Lượt quét ở cổng", "Gate scans"), columns, rows)


def _held_scans(attendee_ids) -> Section:
    columns = [
        ID,
        Column("attendee_id", "Thẻ", "Badge"),
        Column("gate", "Cổng", "Gate"),
        Column("method", "Cách", "Method"),
        Column("badge", "Thẻ khi đến máy chủ", "Badge on arrival"),
        Column("note", "Ghi chú", "Note"),
        Column("reason", "Lý do giữ lại", "Why held"),
        Column("claimed_at", "Giờ thiết bị ghi", "Time on the device"),
        Column("received_at", "Máy chủ nhận lúc", "Received at"),
        Column("decision", "Quyết định", "Decision"),
        Column("decided_at", "Quyết định lúc", "Decided at"),
    ]
    stmt = db.select(HeldScan).where(HeldScan.attendee_id.in_(attendee_ids)).order_by(HeldScan.id)
    return _table("held_scans", ("Lượt quét chờ xét", "Held scans"), columns, stmt)


def _revoked_badges(attendee_ids) -> Section:
    columns = [
        ID,
        Column("attendee_id", "Thẻ", "Badge"),
        Column("reason", "Lý do", "Reason"),
        Column("revoked_at", "Thu hồi lúc", "Revoked at"),
    ]
    stmt = db.select(RevokedBadge).where(RevokedBadge.attendee_id.in_(attendee_ids)).order_by(RevokedBadge.id)
    return _table("revoked_badges", ("Thẻ đã thu hồi", "Revoked badges"), columns, stmt)


def _vote_devices(attendee_ids) -> Section:
    columns = [
        Column("attendee_id", "Thẻ", "Badge"),
        Column("linked_at", "Liên kết lúc", "Linked at"),
        Column("address", "Địa chỉ mạng", "Network address"),
        Column("links", "Số lần liên kết", "Times linked"),
    ]
    stmt = db.select(VoteDevice).where(VoteDevice.attendee_id.in_(attendee_ids)).order_by(VoteDevice.attendee_id)
    return _table("vote_devices", ("Điện thoại liên kết để bình chọn", "Phones linked to vote"), columns, stmt)


def _votes(attendee_ids) -> Section:
    columns = [
        ID,
        Column("attendee_id", "Thẻ", "Badge"),
        EXHIBIT,
        Column("slot", "Lượt (lĩnh vực)", "Slot (category)"),
        Column("source", "Bình chọn bằng", "Cast with"),
        Column("address", "Địa chỉ mạng", "Network address"),
        Column("cast_at", "Bình chọn lúc", "Cast at"),
        Column("changed_at", "Đổi lúc", "Changed at"),
        Column("changes", "Số lần đổi", "Changes"),
        Column("withdrawn_at", "Huỷ lúc", "Withdrawn at"),
        Column("withdrawn_reason", "Lý do huỷ", "Why withdrawn"),
    ]
    stmt = (
        db.select(Vote).where(Vote.attendee_id.in_(attendee_ids)).options(selectinload(Vote.exhibit)).order_by(Vote.id)
    )
    return _table("votes", ("Phiếu bình chọn", "Votes"), columns, stmt, exhibit=lambda v: _exhibit(v.exhibit))


def _authors(ids) -> Section:
    columns = [
        ID,
        FESTIVAL,
        EXHIBIT,
        Column("unit", "Đơn vị", "Unit"),
        Column("position", "Thứ tự tác giả (0: chủ nhiệm)", "Author position (0: lead)"),
        Column("full_name", "Họ và tên", "Full name"),
        Column("job_title", "Chức danh", "Job title"),
        Column("department", "Bộ phận", "Department"),
    ]
    stmt = (
        db.select(Author)
        .where(Author.id.in_(ids))
        .options(selectinload(Author.exhibit).selectinload(Exhibit.festival))
        .options(selectinload(Author.exhibit).selectinload(Exhibit.unit))
        .order_by(Author.id)
    )
    return _table(
        "authors",
        ("Tác giả sáng kiến", "Exhibit authorships"),
        columns,
        stmt,
        festival=lambda a: a.exhibit.festival.name,
        exhibit=lambda a: _exhibit(a.exhibit),
        unit=lambda a: a.exhibit.unit.name,
    )


def _initiative(initiative: Initiative) -> str:
    return f"{initiative.reference} – {initiative.title}"


def _initiative_authors(ids) -> Section:
    columns = [
        ID,
        Column("initiative", "Sáng kiến trong sổ", "Register initiative"),
        Column("unit", "Đơn vị", "Unit"),
        Column("position", "Thứ tự tác giả", "Author position"),
        Column("full_name", "Họ và tên", "Full name"),
        Column("job_title", "Chức danh", "Job title"),
        Column("department", "Bộ phận", "Department"),
        Column("phone", "Điện thoại", "Phone"),
        Column("category", "Đối tượng", "Category"),
        Column("is_graduate", "Trình độ đại học trở lên", "University graduate"),
        Column("share_percent", "Tỷ lệ đóng góp (%)", "Share (%)"),
    ]
    stmt = (
        db.select(InitiativeAuthor)
        .where(InitiativeAuthor.id.in_(ids))
        .options(selectinload(InitiativeAuthor.initiative).selectinload(Initiative.unit))
        .order_by(InitiativeAuthor.id)
    )
    return _table(
        "initiative_authors",
        ("Tác giả trong sổ sáng kiến", "Initiative register authorships"),
        columns,
        stmt,
        initiative=lambda a: _initiative(a.initiative),
        unit=lambda a: a.initiative.unit.name,
    )


def _initiative_submissions(ids) -> Section:
    columns = [
        ID,
        Column("initiative", "Sáng kiến trong sổ", "Register initiative"),
        Column("unit", "Đơn vị", "Unit"),
        Column("submitter_name", "Họ tên người gửi", "Sender's name"),
        Column("submitter_phone", "Điện thoại người gửi", "Sender's phone"),
        CREATED,
    ]
    stmt = (
        db.select(Initiative)
        .where(Initiative.id.in_(ids))
        .options(selectinload(Initiative.unit))
        .order_by(Initiative.id)
    )
    return _table(
        "initiative_submitters",
        ("Ý tưởng gửi qua mã QR", "Ideas sent from a QR poster"),
        columns,
        stmt,
        initiative=_initiative,
        unit=lambda i: i.unit.name,
    )


def _certificates(author_ids) -> Section:
    columns = [
        ID,
        Column("serial", "Số hiệu", "Serial"),
        Column("kind", "Loại", "Kind"),
        Column("recipient_name", "Người nhận", "Recipient"),
        EXHIBIT,
        Column("tier", "Giải", "Award"),
        Column("issued_on", "Ngày cấp", "Issued on"),
        Column("status", "Trạng thái", "Status"),
        Column("reason", "Lý do thu hồi/đính chính", "Why revoked or corrected"),
    ]
    # A certificate is an author's by its exhibit and the author's place on it, not by a name others may share.
    stmt = (
        db.select(Certificate)
        .join(
            Author,
            sa.and_(
                Author.exhibit_id == Certificate.exhibit_id,
                Certificate.recipient_key == sa.literal("author:") + sa.cast(Author.position, sa.String),
            ),
        )
        .where(Author.id.in_(author_ids))
        .options(selectinload(Certificate.exhibit))
        .order_by(Certificate.id)
    )
    return _table(
        "certificates", ("Giấy chứng nhận", "Certificates"), columns, stmt, exhibit=lambda c: _exhibit(c.exhibit)
    )


def _consents(user_ids, attendee_ids, author_ids) -> Section:
    columns = [
        ID,
        Column("subject_kind", "Người đồng ý là", "Given as"),
        Column("subject_name", "Họ tên khi đồng ý", "Name when given"),
        Column("purpose", "Mục đích", "Purpose", PURPOSE_LABELS),
        Column("notice_version", "Phiên bản thông báo", "Notice version"),
        Column("given_at", "Đồng ý lúc", "Given at"),
        Column("how", "Cách đồng ý", "How given", HOW_LABELS),
        Column("withdrawn_at", "Rút lại lúc", "Withdrawn at"),
        Column("withdrawn_how", "Cách rút lại", "How withdrawn", HOW_LABELS),
    ]
    stmt = (
        db.select(Consent)
        .where(
            sa.or_(
                Consent.user_id.in_(user_ids), Consent.attendee_id.in_(attendee_ids), Consent.author_id.in_(author_ids)
            )
        )
        .order_by(Consent.id)
    )
    return _table("consents", ("Sự đồng ý", "Consents"), columns, stmt)


def _mail(user_ids, attendee_ids, emails) -> Section:
    columns = [
        ID,
        Column("kind", "Loại thư", "Kind"),
        Column("recipient_email", "Gửi đến", "To"),
        Column("recipient_name", "Tên người nhận", "Recipient name"),
        Column("language", "Ngôn ngữ", "Language"),
        Column("subject", "Tiêu đề", "Subject"),
        Column("body_text", "Nội dung", "Body"),
        Column("status", "Trạng thái", "Status"),
        Column("last_error", "Lỗi", "Error"),
        CREATED,
        Column("sent_at", "Gửi lúc", "Sent at"),
    ]
    stmt = (
        db.select(MailMessage)
        .where(
            sa.or_(
                MailMessage.user_id.in_(user_ids),
                MailMessage.attendee_id.in_(attendee_ids),
                sa.func.lower(MailMessage.recipient_email).in_(sorted(emails)),
            )
        )
        .order_by(MailMessage.created_at, MailMessage.id)
    )
    return _table("mail_messages", ("Thư đã gửi", "E-mails sent"), columns, stmt)


def _audit(person: Person) -> Section:
    """What the person did, what was recorded about their rows, and rows whose values name their e-mail or phone.
    The values recorded with something they did to another record are left out: they are that record's, maybe
    someone else's."""
    columns = [
        ID,
        CREATED,
        Column("action", "Thao tác", "Action"),
        Column("object_type", "Bảng", "Table"),
        Column("object_id", "Dòng", "Row"),
        Column("by_them", "Do người này làm", "Done by this person"),
        Column("before", "Trước", "Before"),
        Column("after", "Sau", "After"),
    ]
    own = {
        "users": person.user_ids,
        "attendees": person.attendee_ids,
        "authors": person.author_ids,
        "initiative_authors": person.initiative_author_ids,
    }
    about = [sa.and_(AuditLog.object_type == table, AuditLog.object_id.in_(sorted(ids))) for table, ids in own.items()]
    terms = sorted(person.emails | person.phones)
    texts = [sa.cast(AuditLog.before, sa.Text), sa.cast(AuditLog.after, sa.Text)]
    mentions = [text.contains(form, autoescape=True) for text in texts for term in terms for form in json_forms(term)]
    stmt = (
        db.select(AuditLog)
        .where(sa.or_(AuditLog.user_id.in_(sorted(person.user_ids)), *about, *mentions))
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    rows = []
    for entry in _rows(stmt):
        values = json.dumps([entry.before, entry.after], ensure_ascii=False)
        shown = entry.object_id in own.get(entry.object_type or "", ()) or any(term in values for term in terms)
        rows.append(
            {
                "id": entry.id,
                "created_at": entry.created_at,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "by_them": entry.user_id in person.user_ids,
                "before": entry.before if shown else None,
                "after": entry.after if shown else None,
            }
        )
    return _section("audit_log", ("Nhật ký thao tác", "Audit log"), columns, rows)
