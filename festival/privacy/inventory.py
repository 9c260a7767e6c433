"""The one declaration of the personal data Festival holds: what, where, why, on what basis, who receives it,
and how long it is kept. The inventory page, the retention settings and the purge are all read from it."""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from festival.models import (
    Attachment,
    Attendee,
    AuditLog,
    Author,
    BoothJudge,
    BoothScoreChange,
    BoothSheet,
    Breach,
    Certificate,
    CertificateTemplate,
    CheckIn,
    Conflict,
    Consent,
    DataRequest,
    HeldScan,
    Initiative,
    InitiativeAuthor,
    InitiativeFile,
    MailMessage,
    MailStatus,
    PanelMember,
    RevokedBadge,
    ScoreChange,
    ScoreSheet,
    SheetClient,
    SignInFailures,
    User,
    UserSession,
    Vote,
    VoteDevice,
)

SERVICE = "service"  # performing the festival (registration, judging, badges, certificates)
CONSENT = "consent"
LEGAL = "legal"  # a legal obligation (audit, archives, the breach register)

BASIS_LABELS = {
    SERVICE: ("Thực hiện ngày hội (dịch vụ)", "Performing the festival (service)"),
    CONSENT: ("Sự đồng ý của người đó", "The person's consent"),
    LEGAL: ("Nghĩa vụ pháp lý", "Legal obligation"),
}

FESTIVAL_END = "festival_end"  # the festival's last day
CREATED = "created"  # the row's own time (`time_column`)

ANCHOR_LABELS = {
    FESTIVAL_END: ("sau ngày cuối của ngày hội", "after the festival's last day"),
    CREATED: ("sau thời điểm ghi nhận", "after the time it was recorded"),
}

DELETE = "delete"  # the rows go
CLEAR = "clear"  # the rows stay, the personal columns are emptied (`cleared`)
KEEP = "keep"  # kept with the festival's records; removed only on a person's request


@dataclass(frozen=True)
class Category:
    """One kind of personal data: where it lives and its lifetime."""

    key: str
    what: tuple[str, str]  # (Vietnamese, English)
    purpose: tuple[str, str]
    basis: str
    recipients: tuple[str, str]
    purge_note: tuple[str, str]  # what the purge does, in words
    model: Any = None  # the model holding it (None: a store area)
    columns: tuple[str, ...] = ()
    store_area: str | None = None
    action: str = KEEP
    default_days: int | None = None  # None: not purged by time
    min_days: int = 1  # the shortest period the law or an audit allows
    counted_from: str = FESTIVAL_END
    time_column: str | None = None  # for CREATED: the row's time the period runs from
    cleared: dict[str, Any] = field(default_factory=dict)  # for CLEAR: column -> emptied value
    per_festival: bool = True  # False: not tied to a festival (accounts' sign-ins), purged with the current one
    extra: Any = None  # a callable giving more WHERE conditions (e.g. only finished mail)
    of_festival: Any = None  # for a model without festival_id: festival -> the WHERE condition for its rows
    stored_files: tuple[str, str] | None = None  # (column, store area): the object a row names goes with the data

    @property
    def is_purged(self) -> bool:
        return self.action != KEEP and self.default_days is not None

    @property
    def where(self) -> str:
        """Table and columns, or the store area, for people."""
        if self.store_area:
            return f"store: {self.store_area}"
        return f"{self.model.__tablename__}: {', '.join(self.columns)}"

    def text(self, pair: tuple[str, str], language: str) -> str:
        return pair[1] if language == "en" else pair[0]


FESTIVAL_STAFF = ("Ban tổ chức", "The organizers")

CATEGORIES: tuple[Category, ...] = (
    Category(
        "attendee_identity",
        ("Người tham dự: họ tên, đơn vị/tổ chức, vai trò, mã thẻ", "Attendees: name, unit/organisation, role, badge"),
        ("In thẻ, đón tiếp, giấy chứng nhận", "Badges, the gates, certificates"),
        SERVICE,
        ("Ban tổ chức; nhân viên đón tiếp (danh sách ở cổng)", "The organizers; gate staff (the gate list)"),
        (
            "Giữ cùng hồ sơ ngày hội; chỉ xoá theo yêu cầu của người đó",
            "Kept with the festival's records; removed on the person's request",
        ),
        model=Attendee,
        columns=("full_name", "organisation", "unit_id", "role_id", "badge_token"),
    ),
    Category(
        "attendee_contact",
        ("Người tham dự: điện thoại, e-mail", "Attendees: phone, e-mail"),
        ("Gửi thẻ và thông báo của ngày hội", "Sending badges and the festival's notices"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá điện thoại và e-mail (để trống), giữ người tham dự", "Phone and e-mail emptied; the attendee stays"),
        model=Attendee,
        columns=("phone", "email"),
        action=CLEAR,
        default_days=365,
        min_days=30,
        cleared={"phone": None, "email": None},
    ),
    Category(
        "gate_scans",
        ("Lượt quét ở cổng: ai đến, giờ, cổng", "Gate scans: who arrived, when, which gate"),
        ("Đón tiếp, thống kê người đến", "Admission, arrival figures"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Bỏ liên kết tới người (giữ số lượt quét theo cổng)", "Unlinked from the person (counts per gate kept)"),
        model=CheckIn,
        columns=("attendee_id", "staff_id", "gate", "scanned_at"),
        action=CLEAR,
        default_days=90,
        min_days=7,
        cleared={"attendee_id": None},
    ),
    Category(
        "arrivals",
        ("Người tham dự: giờ và cổng đã đến", "Attendees: arrival time and gate"),
        ("Đón tiếp", "Admission"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá giờ và cổng đến", "Arrival time and gate emptied"),
        model=Attendee,
        columns=("checked_in_at", "checked_in_gate"),
        action=CLEAR,
        default_days=90,
        min_days=7,
        cleared={"checked_in_at": None, "checked_in_gate": None},
    ),
    Category(
        "held_scans",
        ("Lượt quét ngoại tuyến chờ duyệt", "Offline scans held for review"),
        ("Đón tiếp khi mất mạng", "Admission while offline"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá các dòng", "Rows deleted"),
        model=HeldScan,
        columns=("attendee_id", "staff_id", "gate", "claimed_at"),
        action=DELETE,
        default_days=90,
        min_days=7,
    ),
    Category(
        "vote_devices",
        (
            "Bình chọn: điện thoại gắn với thẻ (mã bí mật, địa chỉ mạng)",
            "Vote: the phone linked to a badge (secret, address)",
        ),
        ("Một thẻ một phiếu", "One vote per badge"),
        CONSENT,
        FESTIVAL_STAFF,
        ("Xoá liên kết điện thoại; số phiếu giữ nguyên", "Phone links deleted; vote counts unchanged"),
        model=VoteDevice,
        columns=("attendee_id", "secret", "badge_token", "address", "linked_at"),
        action=DELETE,
        default_days=30,
        min_days=1,
        of_festival=lambda festival: VoteDevice.attendee_id.in_(
            sa.select(Attendee.id).where(Attendee.festival_id == festival.id)
        ),
    ),
    Category(
        "votes",
        ("Bình chọn: phiếu của mỗi thẻ và địa chỉ mạng", "Vote: each badge's vote and network address"),
        ("Giải do khán giả bình chọn", "The visitors' choice prize"),
        CONSENT,
        FESTIVAL_STAFF,
        (
            "Xoá địa chỉ mạng; giữ phiếu để kết quả kiểm lại được",
            "Address emptied; the vote kept so results stay verifiable",
        ),
        model=Vote,
        columns=("attendee_id", "badge_token", "exhibit_id", "address", "cast_at"),
        action=CLEAR,
        default_days=90,
        min_days=30,
        cleared={"address": ""},
    ),
    Category(
        "authors",
        ("Tác giả sáng kiến: họ tên, chức danh, bộ phận", "Exhibit authors: name, job title, department"),
        (
            "Hồ sơ sáng kiến, chấm giải, giấy chứng nhận, công bố kết quả",
            "Exhibit dossiers, judging, certificates, results",
        ),
        SERVICE,
        ("Ban tổ chức, giám khảo, công chúng (kết quả)", "The organizers, judges, the public (results)"),
        ("Giữ cùng hồ sơ và kết quả; chỉ xoá theo yêu cầu", "Kept with the dossier and results; removed on request"),
        model=Author,
        columns=("full_name", "job_title", "department"),
    ),
    Category(
        "revoked_badges",
        ("Thẻ đã thay: mã thẻ cũ và lý do", "Replaced badges: the old badge code and why"),
        ("Cổng nhận ra thẻ đã thay", "The gates recognise a replaced badge"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá cùng người tham dự", "Deleted with the attendee"),
        model=RevokedBadge,
        columns=("attendee_id", "token", "reason"),
    ),
    Category(
        "attachments",
        (
            "Hồ sơ sáng kiến: ảnh, tài liệu đính kèm (có thể có hình người)",
            "Exhibit dossiers: photos, documents (may show people)",
        ),
        ("Hồ sơ dự thi, chấm giải, trưng bày", "Entries, judging, the exhibition"),
        SERVICE,
        (
            "Ban tổ chức, giám khảo; công chúng khi sáng kiến được duyệt",
            "The organizers, judges; the public once accepted",
        ),
        ("Giữ cùng hồ sơ ngày hội", "Kept with the festival's records"),
        model=Attachment,
        columns=("original_name", "stored_name", "thumbnail_name"),
    ),
    Category(
        "certificates",
        ("Giấy chứng nhận: tên người nhận", "Certificates: the recipient's name"),
        ("Trao và xác minh giấy chứng nhận", "Awarding and verifying certificates"),
        SERVICE,
        ("Người nhận; bất kỳ ai kiểm tra mã QR", "The recipient; anyone checking the QR code"),
        ("Giữ cùng hồ sơ ngày hội (thu hồi theo yêu cầu)", "Kept with the festival's records (revoked on request)"),
        model=Certificate,
        columns=("recipient_name", "recipient_key", "exhibit_id"),
    ),
    Category(
        "signatories",
        ("Mẫu giấy chứng nhận: họ tên người ký", "Certificate templates: the signatory's name"),
        ("In giấy chứng nhận", "Printing certificates"),
        SERVICE,
        ("Người nhận giấy chứng nhận", "Certificate recipients"),
        ("Giữ cùng hồ sơ ngày hội", "Kept with the festival's records"),
        model=CertificateTemplate,
        columns=("signatory_name",),
    ),
    Category(
        "score_sheets",
        ("Chấm giải: phiếu điểm của từng giám khảo", "Judging: each judge's score sheet"),
        ("Chấm giải, kiểm tra kết quả", "Judging, checking the results"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả để kiểm lại được", "Kept with the results so they stay verifiable"),
        model=ScoreSheet,
        columns=("judge_id", "exhibit_id", "comment"),
    ),
    Category(
        "score_changes",
        ("Chấm giải: lịch sử sửa điểm (ai, khi nào)", "Judging: score change history (who, when)"),
        ("Kiểm tra, giải trình kết quả", "Auditing the results"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả", "Kept with the results"),
        model=ScoreChange,
        columns=("user_id", "client_id", "created_at", "old_value", "new_value"),
    ),
    Category(
        "booth_sheets",
        ("Giải gian hàng: phiếu điểm của từng giám khảo", "Booth award: each judge's score sheet"),
        ("Chấm giải gian hàng, kiểm tra kết quả", "Judging the booths, checking the results"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả để kiểm lại được", "Kept with the results so they stay verifiable"),
        model=BoothSheet,
        columns=("judge_id", "unit_id", "comment"),
    ),
    Category(
        "booth_score_changes",
        ("Giải gian hàng: lịch sử sửa điểm (ai, khi nào)", "Booth award: score change history (who, when)"),
        ("Kiểm tra, giải trình kết quả", "Auditing the results"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả", "Kept with the results"),
        model=BoothScoreChange,
        columns=("user_id", "created_at", "old_value", "new_value"),
    ),
    Category(
        "judge_devices",
        ("Chấm giải: thiết bị giám khảo dùng", "Judging: the devices judges used"),
        ("Gộp các lần lưu từ nhiều thiết bị", "Merging saves from several devices"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Giữ cùng phiếu điểm", "Kept with the score sheet"),
        model=SheetClient,
        columns=("client_id", "session_key", "device"),
    ),
    Category(
        "panels",
        ("Giám khảo: hội đồng chấm theo lĩnh vực", "Judges: their panels by category"),
        ("Phân công chấm", "Judging assignments"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả", "Kept with the results"),
        model=PanelMember,
        columns=("judge_id", "category_id"),
    ),
    Category(
        "booth_panel",
        ("Giám khảo: hội đồng chấm gian hàng", "Judges: the booth award's panel"),
        ("Phân công chấm gian hàng", "Booth judging assignments"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả", "Kept with the results"),
        model=BoothJudge,
        columns=("judge_id",),
    ),
    Category(
        "conflicts",
        ("Giám khảo: xung đột lợi ích đã khai", "Judges: declared conflicts of interest"),
        ("Phân công chấm công bằng", "Fair judging assignments"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng kết quả", "Kept with the results"),
        model=Conflict,
        columns=("judge_id", "exhibit_id"),
    ),
    Category(
        "accounts",
        ("Tài khoản: e-mail, họ tên, lần đăng nhập cuối", "Accounts: e-mail, name, last sign-in"),
        ("Đăng nhập, phân quyền", "Signing in, permissions"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Giữ khi tài khoản còn dùng; đóng theo yêu cầu", "Kept while the account is used; closed on request"),
        model=User,
        columns=("email", "full_name", "last_login_at"),
        per_festival=False,
    ),
    Category(
        "sessions",
        ("Phiên đăng nhập: trình duyệt (user agent)", "Sign-in sessions: browser (user agent)"),
        ("Bảo mật tài khoản", "Account security"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá các phiên đã hết hạn", "Expired sessions deleted"),
        model=UserSession,
        columns=("user_id", "user_agent", "created_at"),
        action=DELETE,
        default_days=30,
        min_days=1,
        counted_from=CREATED,
        time_column="expires_at",
        per_festival=False,
    ),
    Category(
        "sign_in_failures",
        ("Đăng nhập sai: địa chỉ e-mail đã gõ", "Failed sign-ins: the e-mail address typed"),
        ("Chống dò mật khẩu", "Stopping password guessing"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Xoá các dòng", "Rows deleted"),
        model=SignInFailures,
        columns=("account_key", "last_failed_at"),
        action=DELETE,
        default_days=30,
        min_days=1,
        counted_from=CREATED,
        time_column="last_failed_at",
        per_festival=False,
    ),
    Category(
        "mail_bodies",
        ("Thư đã gửi: nội dung", "Mail sent: its body"),
        ("Gửi thông báo, thẻ, giấy chứng nhận", "Sending notices, badges, certificates"),
        SERVICE,
        ("Ban tổ chức; máy chủ thư", "The organizers; the mail server"),
        (
            "Xoá nội dung, giữ bản ghi đã gửi (người nhận, tiêu đề, trạng thái)",
            "Body emptied; the record of sending kept",
        ),
        model=MailMessage,
        columns=("body_text", "facts", "outbox_file"),
        action=CLEAR,
        default_days=180,
        min_days=30,
        counted_from=CREATED,
        time_column="created_at",
        cleared={"body_text": "", "facts": {}, "outbox_file": None},
        stored_files=("outbox_file", "outbox"),
        extra=lambda: [MailMessage.status.in_([MailStatus.SENT, MailStatus.FAILED, MailStatus.BOUNCED])],
    ),
    Category(
        "mail_recipients",
        ("Thư đã gửi: người nhận, tiêu đề", "Mail sent: recipient, subject"),
        ("Chứng cứ đã thông báo", "Proof of notification"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng hồ sơ ngày hội", "Kept with the festival's records"),
        model=MailMessage,
        columns=("recipient_email", "recipient_name", "subject", "sent_at"),
    ),
    Category(
        "audit_log",
        ("Nhật ký thao tác: người làm, giá trị trước/sau", "Audit log: who acted, values before/after"),
        ("Kiểm tra, giải trình", "Audit and accountability"),
        LEGAL,
        FESTIVAL_STAFF,
        ("Giữ cùng hồ sơ ngày hội", "Kept with the festival's records"),
        model=AuditLog,
        columns=("user_id", "before", "after"),
        per_festival=False,
    ),
    Category(
        "consents",
        (
            "Sự đồng ý: của ai, cho việc gì, theo phiên bản thông báo nào, khi nào, cách nào, và việc rút lại",
            "Consents: whose, for what, under which notice version, when, how, and their withdrawal",
        ),
        (
            "Chứng cứ về sự đồng ý mà luật yêu cầu bên kiểm soát lưu giữ",
            "Evidence of consent the law asks the controller to keep",
        ),
        LEGAL,
        FESTIVAL_STAFF,
        (
            "Giữ làm chứng cứ, kể cả khi đã rút lại; chỉ xoá theo yêu cầu của người đó",
            "Kept as evidence, withdrawn ones too; removed on the person's request",
        ),
        model=Consent,
        columns=("subject_name", "author_id", "attendee_id", "user_id", "given_at", "how", "withdrawn_at"),
    ),
    Category(
        "breaches",
        (
            "Sổ sự cố: những người và dữ liệu bị ảnh hưởng, cách đã báo cho họ",
            "Breach register: the people and data affected, how they were told",
        ),
        ("Nghĩa vụ ghi nhận và thông báo sự cố", "The duty to record and report breaches"),
        LEGAL,
        (
            "Ban tổ chức; cơ quan chuyên trách (A05, Bộ Công an)",
            "The organizers; the authority (A05, Ministry of Public Security)",
        ),
        ("Giữ cùng hồ sơ ngày hội", "Kept with the festival's records"),
        model=Breach,
        columns=("people_description", "data_affected", "people_notice"),
    ),
    Category(
        "requests",
        (
            "Yêu cầu của người có dữ liệu: họ tên, e-mail hoặc điện thoại, nội dung, kết quả",
            "People's requests about their data: name, e-mail or phone, what they asked, the outcome",
        ),
        (
            "Trả lời yêu cầu đúng hạn và lưu chứng cứ đã trả lời",
            "Answering requests in time and keeping evidence that they were answered",
        ),
        LEGAL,
        FESTIVAL_STAFF,
        (
            "Giữ làm chứng cứ tuân thủ pháp luật",
            "Kept as evidence of compliance with the law",
        ),
        model=DataRequest,
        columns=("subject_name", "subject_contact", "details", "outcome", "extension_reason"),
    ),
    Category(
        "initiative_authors",
        (
            "Sổ sáng kiến: tác giả (họ tên, chức danh, bộ phận, điện thoại, đối tượng, trình độ, tỷ lệ đóng góp)",
            "Initiative register: authors (name, job title, department, phone, category, degree, share)",
        ),
        (
            "Công nhận sáng kiến, thù lao cho tác giả, thống kê và xét khen thưởng của phong trào",
            "Recognising initiatives, paying authors, the programme's tallies and awards",
        ),
        LEGAL,
        (
            "Đơn vị và tổ hỗ trợ sáng kiến; công đoàn ngành; Cổng sáng kiến của Tổng Liên đoàn (tệp xuất)",
            "The unit and its support team; the sector union; the Confederation's portal (the export)",
        ),
        (
            "Giữ cùng sổ sáng kiến (hồ sơ công nhận và thù lao); chỉ xoá theo yêu cầu",
            "Kept with the register (recognition and remuneration records); removed on request",
        ),
        model=InitiativeAuthor,
        columns=("full_name", "job_title", "department", "phone", "category", "is_graduate", "share_percent"),
        per_festival=False,
    ),
    Category(
        "initiative_submitters",
        (
            "Ý tưởng gửi qua mã QR: họ tên và điện thoại người gửi",
            "Ideas sent from a QR poster: the sender's name and phone",
        ),
        ("Tổ hỗ trợ liên hệ lại để hoàn thiện sáng kiến", "The support team calls back to complete the initiative"),
        SERVICE,
        ("Đơn vị và tổ hỗ trợ sáng kiến", "The unit and its support team"),
        ("Xoá họ tên và điện thoại người gửi", "The sender's name and phone emptied"),
        model=Initiative,
        columns=("submitter_name", "submitter_phone"),
        action=CLEAR,
        default_days=365,
        min_days=30,
        counted_from=CREATED,
        time_column="created_at",
        cleared={"submitter_name": "", "submitter_phone": ""},
        per_festival=False,
    ),
    Category(
        "initiative_files",
        (
            "Sổ sáng kiến: ảnh, tài liệu đính kèm (có thể có hình người)",
            "Initiative register: photos, documents (may show people)",
        ),
        ("Hồ sơ công nhận sáng kiến", "Recognition dossiers"),
        LEGAL,
        ("Đơn vị và tổ hỗ trợ sáng kiến; công đoàn ngành", "The unit and its support team; the sector union"),
        ("Giữ cùng sổ sáng kiến", "Kept with the register"),
        model=InitiativeFile,
        columns=("original_name", "stored_name", "thumbnail_name"),
        per_festival=False,
    ),
    Category(
        "finished_prints",
        (
            "Bản in đã xong (thẻ, giấy chứng nhận, áp phích: có họ tên)",
            "Finished prints (badges, certificates, posters: with names)",
        ),
        ("Tải về để in", "Downloading to print"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá các tệp; in lại khi cần", "Files deleted; printed again when needed"),
        store_area="prints",
        action=DELETE,
        default_days=30,
        min_days=1,
        counted_from=CREATED,
        per_festival=False,
    ),
    Category(
        "staged_imports",
        ("Tệp Excel/CSV đang nhập (danh sách người, sáng kiến)", "Spreadsheets being imported (people, exhibits)"),
        ("Nhập danh sách", "Importing lists"),
        SERVICE,
        FESTIVAL_STAFF,
        ("Xoá các tệp", "Files deleted"),
        store_area="imports",
        action=DELETE,
        default_days=1,
        min_days=1,
        counted_from=CREATED,
        per_festival=False,
    ),
)

BY_KEY = {category.key: category for category in CATEGORIES}
PURGED = tuple(category for category in CATEGORIES if category.is_purged)
