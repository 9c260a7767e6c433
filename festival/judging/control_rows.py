"""The control room's exhibit rows as HTML, the same for the whole board and for the rows an open board fetches.

A big festival's board has a thousand of them: rendered by a Jinja macro, the price of each expression made the
board cost several times what reading its rows does (issue 29, bench/dashboards.py), so this writes the same
markup with plain strings, the words translated and escaped once a request. The judges' and booths' rows, a few
dozen, stay in templates/judging/_control_rows.html.
"""

from typing import NamedTuple

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from festival.judging.control import ExhibitProgress, Judge, ReportShown
from festival.models import SheetStatus
from festival.util.formatting import format_time
from festival.util.urls import id_url_parts


class Words(NamedTuple):
    """What every exhibit row says alike, as HTML: the sheets' states, the reassign link, the judges' names."""

    statuses: dict[SheetStatus, str]
    reassign: tuple[str, str]  # the link either side of the sheet's id
    unassigned: str
    # judge id -> state -> the start of that judge's line with a sheet in that state; filled as rows name judges, so
    # each name is escaped once a request, not once a sheet
    lines: dict[int, dict[SheetStatus, str]]


def words() -> Words:
    """The rows' words in the request's language."""
    before, after = id_url_parts("judging.reassign", "sheet_id")
    reassign = escape(_("Giao lại"))  # outside the f-string, where pybabel finds it
    return Words(
        statuses={status: str(escape(status.label)) for status in SheetStatus},
        reassign=(
            f'<a class="btn btn-sm btn-outline-primary" href="{before}',
            f'{after}">{reassign}</a>\n      ',
        ),
        unassigned=str(escape(_("Chưa phân công"))),
        lines={},
    )


def exhibit_row(p: ExhibitProgress, digest: str, words: Words) -> Markup:
    """One exhibit's row: its stand, open reports of it empty (each with its form), and each judge's sheet."""
    e = p.exhibit
    if p.reports:
        state = "table-danger"
    elif p.sheets and p.submitted == len(p.sheets):
        state = "table-success"
    else:
        state = ""
    if p.sheets:
        before, after = words.reassign
        sheets = []
        for sheet in p.sheets:
            lines = words.lines.get(sheet.judge.id) or _lines(sheet.judge, words)
            sheets.append(lines[sheet.status])
            if sheet.status is SheetStatus.NOT_STARTED:
                sheets.append(f"{before}{sheet.id}{after}")
            sheets.append("</div>\n  ")
        judged = "".join(sheets)
    else:
        judged = f'<span class="text-danger">{words.unassigned}</span>'
    zone = f"{escape(e.zone)} · " if e.zone else ""
    return Markup(
        f'<tr data-row="e{e.id}" data-digest="{digest}" id="control-exhibit-{e.id}" class="{state}">\n'
        f"  <td><strong>{escape(e.code)}</strong> {escape(e.title)}\n    {''.join(map(_report, p.reports))}</td>\n"
        f'  <td class="nowrap">{zone}{escape(e.booth or "—")}</td>\n'
        f'  <td class="text-end">{p.submitted}/{len(p.sheets)}</td>\n'
        f'  <td class="small">{judged}</td>\n'
        "</tr>"
    )


def _lines(judge: Judge, words: Words) -> dict[SheetStatus, str]:
    name = escape(judge.full_name)
    lines = words.lines[judge.id] = {
        status: f"\n    <div>{name}: {said}\n      " for status, said in words.statuses.items()
    }
    return lines


def _report(report: ReportShown) -> str:
    # A report carries a form with the session's CSRF token: its row is never remembered (util/boards.py).
    said = Markup(_("Gian vắng người — %(name)s báo lúc %(time)s")) % {
        "name": report.judge.full_name,
        "time": format_time(report.reported_at),
    }
    attended = escape(_("Đã có người"))  # outside the f-string, where pybabel finds it
    return (
        f'<div class="small text-danger fw-semibold">{said}\n'
        f'      <form method="post" action="{url_for("judging.resolve_report", report_id=report.id)}" class="d-inline">'
        f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">'
        f'<button class="btn btn-sm btn-link p-0" type="submit">{attended}</button></form></div>'
    )
