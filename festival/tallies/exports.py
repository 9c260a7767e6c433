"""The tallies as a spreadsheet: a sheet per table of the tallies page."""

from fractions import Fraction

from flask_babel import gettext as _

from festival.models import AwardTier
from festival.spreadsheets import write_xlsx
from festival.tallies.tally import Tally


def _percent(value: Fraction | None) -> float | None:
    return round(float(value), 1) if value is not None else None


def _target(value: Fraction | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def tally_xlsx(result: Tally) -> bytes:
    """The tally as an XLSX: a sheet per table of the page."""
    counts = [_("Tiếp nhận"), _("Được công nhận"), _("Giá trị làm lợi năm đầu (đồng)")]
    measured = [*counts, _("Chỉ tiêu của kỳ"), _("Tỷ lệ đạt chỉ tiêu")]

    def plain(lines):
        return [[line.label, line.received, line.recognised, line.benefit] for line in lines]

    def against(lines):
        return [[*row, _target(line.target), _percent(line.percent)] for row, line in zip(plain(lines), lines)]

    unit_rows = [
        [line.unit.code, line.unit.name, str(line.unit.region.label), line.group, line.members, line.year_target]
        + row[1:]
        for row, line in zip(against(result.units), result.units)
    ]
    ranking = [
        [
            group,
            line.rank,
            line.unit.code,
            line.unit.name,
            line.recognised,
            _target(line.target),
            _percent(line.percent),
        ]
        for group, lines in result.groups
        for line in lines
    ]
    quarters = [
        [
            line.label,
            line.received,
            line.recognised,
            line.benefit,
            line.cumulative,
            _target(line.target),
            _percent(line.percent),
        ]
        for line in result.quarters
    ]
    editions = [
        [line.edition, line.name, line.exhibits, line.nominated, *(line.prizes.get(t, 0) for t in AwardTier)]
        for line in result.editions
    ]
    return write_xlsx(
        [
            (
                _("Theo đơn vị"),
                [
                    _("Mã"),
                    _("Đơn vị"),
                    _("Khu vực"),
                    _("Cụm/khối thi đua"),
                    _("Số đoàn viên"),
                    _("Chỉ tiêu năm"),
                    *measured,
                ],
                unit_rows,
            ),
            (
                _("Xếp hạng"),
                [_("Cụm/khối thi đua"), _("Hạng"), _("Mã"), _("Đơn vị"), _("Được công nhận"), *measured[3:]],
                ranking,
            ),
            (_("Theo khu vực"), [_("Khu vực"), *measured], against(result.regions)),
            (_("Theo lĩnh vực"), [_("Lĩnh vực"), *counts], plain(result.fields)),
            (_("Theo đối tượng tác giả"), [_("Đối tượng"), *counts], plain(result.categories)),
            (
                _("Theo quý"),
                [_("Quý"), *counts, _("Công nhận lũy kế"), _("Chỉ tiêu lũy kế"), _("Tỷ lệ đạt chỉ tiêu")],
                quarters,
            ),
            (_("Qua các năm"), [_("Năm"), *counts, _("Chỉ tiêu năm"), _("Tỷ lệ đạt chỉ tiêu")], against(result.years)),
            (
                _("Các kỳ ngày hội"),
                [_("Lần"), _("Tên"), _("Sáng kiến trưng bày"), _("Từ sổ sáng kiến"), *(t.label for t in AwardTier)],
                editions,
            ),
        ]
    )
