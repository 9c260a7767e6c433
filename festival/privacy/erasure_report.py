"""What erasing a person's data changes, table by table, and what it keeps and why, in the organizer's words
(Vietnamese, English): the one declaration the preview, the report and its pages read."""

from dataclasses import dataclass

from festival.privacy.people import Person

# What erasing does to each table (or store area), in words for the organizer: (Vietnamese, English).
CHANGES: dict[str, tuple[str, str]] = {
    "authors": (
        "Họ tên thay bằng tên chung; chức danh, bộ phận để trống",
        "Name replaced by the general one; job title and department emptied",
    ),
    "initiative_authors": (
        "Sổ sáng kiến: họ tên tác giả thay bằng tên chung, điện thoại để trống; tỷ lệ đóng góp và thù lao được giữ",
        "Initiative register: the author's name replaced by the general one, phone emptied; shares and remuneration "
        "kept",
    ),
    "initiative_submitters": (
        "Ý tưởng gửi qua mã QR: họ tên và điện thoại người gửi để trống",
        "Ideas sent from a QR poster: the sender's name and phone emptied",
    ),
    "certificates": (
        "Thu hồi với lý do “Xoá dữ liệu cá nhân theo yêu cầu”; tên người nhận thay bằng tên chung",
        "Revoked with the reason “personal data erased on request”; the recipient's name replaced",
    ),
    "store: certificates": ("Xoá các bản PDF giấy chứng nhận đã lưu sẵn", "Cached certificate PDFs deleted"),
    "attendees": (
        "Họ tên thay bằng tên chung; điện thoại, e-mail, tổ chức để trống; thẻ bị thu hồi",
        "Name replaced; phone, e-mail and organisation emptied; the badge revoked",
    ),
    "vote_devices": ("Xoá liên kết điện thoại với thẻ", "Phone links to the badge deleted"),
    "votes": (
        "Giữ để kiểm phiếu, vẫn được tính; địa chỉ mạng để trống",
        "Kept for the tally and still counted; network address emptied",
    ),
    "check_ins": (
        "Giữ để đếm lượt đến; bỏ liên kết tới người",
        "Kept for the arrival counts; unlinked from the person",
    ),
    "held_scans": ("Bỏ liên kết tới người", "Unlinked from the person"),
    "consents": (
        "Sự đồng ý còn hiệu lực được rút lại; tên thay bằng tên chung",
        "Standing consents withdrawn; the name replaced",
    ),
    "users": (
        "Đóng tài khoản: khoá, xoá mật khẩu và liên kết mời, đặt lại mật khẩu; e-mail và tên thay bằng giá trị chung",
        "Account closed: locked, password and invitation/reset links cleared; e-mail and name replaced",
    ),
    "user_sessions": ("Đăng xuất khỏi mọi thiết bị", "Signed out of every device"),
    "mail_messages": (
        "Người nhận thay bằng giá trị chung; nội dung để trống; thư chưa gửi được huỷ",
        "Recipient replaced; body emptied; messages not yet sent cancelled",
    ),
    "store: outbox": ("Xoá các tệp thư .eml", ".eml files deleted"),
    "sign_in_failures": (
        "Xoá các lần đăng nhập sai với e-mail của người đó",
        "Failed sign-ins with their e-mail deleted",
    ),
    "audit_log": (
        "E-mail và số điện thoại của người đó trong nhật ký thao tác thay bằng “[đã xoá]”; các dòng được giữ",
        "Their e-mail and phone in the audit log replaced by “[đã xoá]”; the rows kept",
    ),
}


@dataclass(frozen=True)
class Kept:
    """What erasing leaves as it is, and why (Vietnamese, English)."""

    what: tuple[str, str]
    why: tuple[str, str]


KEPT: tuple[Kept, ...] = (
    Kept(
        (
            "Sáng kiến, phiếu điểm, lịch sử sửa điểm, giải, biên bản chốt kết quả",
            "Exhibits, score sheets, score changes, awards, the frozen results record",
        ),
        (
            "Là hồ sơ của ngày hội và phải kiểm lại được; biên bản chốt chỉ băm mã sáng kiến, mã giám khảo và điểm, "
            "không băm tên, nên vẫn khớp. Giám khảo hiện bằng tên chung.",
            "The festival's record, which must stay verifiable; the frozen record hashes exhibit ids, judge ids and "
            "scores, never names, so it still matches. A judge shows as the general name.",
        ),
    ),
    Kept(
        ("Nhật ký thao tác", "The audit log"),
        (
            "Chứng cứ pháp lý về ai đã làm gì: các dòng được giữ, tên trong đó giữ nguyên; e-mail và số điện thoại "
            "của người đó trong các dòng được thay bằng “[đã xoá]”.",
            "The legal record of who did what: the rows stay, with the names in them; the person's e-mail and phone "
            "in them become “[đã xoá]”.",
        ),
    ),
    Kept(
        ("Giấy chứng nhận (số hiệu, trạng thái)", "Certificates (serial, state)"),
        (
            "Sổ cấp giấy giữ số hiệu để trang xác minh trả lời “đã thu hồi” thay vì “không có”.",
            "The register keeps the serial so the verify page answers “revoked” rather than “unknown”.",
        ),
    ),
    Kept(
        (
            "Sự đồng ý (thời điểm, phiên bản thông báo, cách thức, việc rút lại)",
            "Consents (when, notice version, how, withdrawal)",
        ),
        (
            "Luật yêu cầu bên kiểm soát giữ chứng cứ về sự đồng ý; tên không cần cho chứng cứ nên được thay.",
            "The law asks the controller to keep evidence of consent; the name is not needed for it and is replaced.",
        ),
    ),
    Kept(
        ("Phiếu bình chọn, lượt quét ở cổng, mã thẻ đã thu hồi", "Votes, gate scans, revoked badge codes"),
        (
            "Để kết quả bình chọn và số người đến kiểm lại được, và cổng nhận ra thẻ cũ; không còn nối tới người.",
            "So the vote and arrival counts stay verifiable and the gates recognise the old badge; no longer linked "
            "to the person.",
        ),
    ),
    Kept(
        ("Thư đã gửi: tiêu đề, trạng thái, thời điểm", "Mail sent: subject, state, time"),
        ("Chứng cứ ban tổ chức đã thông báo.", "Proof that the organizers gave notice."),
    ),
    Kept(
        ("Ảnh và tài liệu trong hồ sơ sáng kiến", "Photos and documents of the exhibit's dossier"),
        (
            "Thuộc hồ sơ của sáng kiến (không còn hiện công khai khi sự đồng ý bị rút); nếu ảnh có hình người đó, "
            "đơn vị hoặc ban tổ chức gỡ ảnh khỏi hồ sơ.",
            "Part of the exhibit's dossier (no longer public once consent is withdrawn); if a photo shows the "
            "person, the unit or the organizers remove it from the dossier.",
        ),
    ),
    Kept(
        ("Sổ yêu cầu của người có dữ liệu", "The log of people's requests"),
        (
            "Chứng cứ yêu cầu đã được trả lời đúng hạn (nghĩa vụ pháp lý): họ tên và liên hệ ghi trong yêu cầu.",
            "Evidence that the request was answered in time (a legal duty): the name and contact the request gave.",
        ),
    ),
    Kept(
        ("Sổ sự cố, bản in đã xong, tệp đang nhập", "The breach register, finished prints, staged imports"),
        (
            "Sổ sự cố là nghĩa vụ pháp lý; bản in và tệp nhập là bản tạm, bị xoá theo thời hạn lưu trữ.",
            "The breach register is a legal duty; prints and staged imports are temporary and go with the retention "
            "periods.",
        ),
    ),
)


@dataclass(frozen=True)
class Change:
    table: str
    count: int

    @property
    def what(self) -> tuple[str, str]:
        return CHANGES[self.table]


@dataclass
class ErasureReport:
    """What erasing a person changes (or, before it is done, would change), table by table, and what it keeps."""

    person: Person
    changes: list[Change]
    kept: tuple[Kept, ...] = KEPT
    done: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {change.table: change.count for change in self.changes}

    @property
    def total(self) -> int:
        return sum(self.counts.values())
