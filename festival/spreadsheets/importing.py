"""The four import steps for every list read from a spreadsheet — upload, find the table, map and preview,
import — as the pages (with the template and export downloads) each list registers with `add_list_routes`, and
as the CLI command each list registers. Both run the one engine in festival/spreadsheets/ with the same skip
rules."""

import io
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from openpyxl.utils import column_index_from_string

from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status, on_commit
from festival.core.uploads import disk_refusal
from festival.models import Festival
from festival.spreadsheets import (
    Choices,
    ImportList,
    ImportRejected,
    Preview,
    SpreadsheetError,
    Workbook,
    header_key,
    preview,
    read_workbook,
    staging,
)
from festival.spreadsheets.imports import commit_import
from festival.spreadsheets.problems import group_notes
from festival.spreadsheets.reading import MAX_BYTES
from festival.spreadsheets.tables import SCALES, find_sheet
from festival.util.formatting import fold

SECTIONS = ("table", "mapping", "rows", "skipped")  # where a refreshed preview scrolls back to
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPT = f".xlsx,.csv,{XLSX},text/csv"


class UploadForm(FlaskForm):
    file = FileField(_l("Tệp Excel (.xlsx) hoặc CSV"), validators=[FileRequired(_l("Hãy chọn tệp."))])


def summary(result: Preview, created: int, filename: str | None) -> str:
    """What an import did, in a sentence (flashed, and printed by the CLI)."""
    skipped = sum(entry.last - entry.first + 1 for entry in result.skipped)
    where = (
        _("trang tính “%(sheet)s” của tệp “%(file)s”", sheet=result.sheet_name, file=filename or "")
        if result.sheet_name is not None
        else _("tệp “%(file)s”", file=filename or "")
    )
    return str(result.spec.done) % {"n": created, "where": where, "skipped": skipped}


# ---------------------------------------------------------------- web pages


def upload_page(spec: ImportList, *, preview_endpoint: str, **context):
    """Step 1: the upload form; a file that can be read is kept and its preview shown, one that cannot is
    refused on the form with the reason (and how to save it properly)."""
    festival = current_festival()
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_BYTES + 1)
        try:
            read_workbook(data)
        except SpreadsheetError as error:
            form.file.errors.append(error.message)
        else:
            try:
                upload = staging.stage(data, form.file.data.filename, spec.kind, festival, current_user)
            except OSError as error:
                form.file.errors.append(disk_refusal(error).message)
            else:
                return redirect(url_for(preview_endpoint, upload_id=upload.id))
    page = render_template("imports/upload.html", form=form, spec=spec, accept=ACCEPT, **context)
    return page, form_status(form)


def choices_from_form(form, workbook: Workbook, spec: ImportList, previous: Choices) -> Choices:
    """The organizer's choices as posted: the sheet, each column's field (a changed sheet starts afresh),
    each money column's unit, the skipped rows to import anyway. Values that are not offered are ignored."""
    names = [sheet.name for sheet in workbook.sheets]
    sheet = form.get("sheet")
    sheet = sheet if sheet in names else previous.sheet
    if sheet is not None and form.get("shown_sheet") not in (None, sheet):
        return Choices(sheet=sheet)
    keys = {field.key for field in spec.fields}
    posted = [name for name in form if name.startswith("column-")]
    mapping = previous.mapping
    if posted:
        mapping = {}
        for name in posted:
            position, key = name.removeprefix("column-"), form.get(name, "")
            if position.isdigit() and key in keys:
                mapping[int(position)] = key
    scales = dict(previous.scales)
    for name in form:
        position = name.removeprefix("scale-")
        if name.startswith("scale-") and position.isdigit() and form.get(name, "").isdigit():
            if int(form[name]) in SCALES:
                scales[int(position)] = int(form[name])
    include, fixed = previous.include, previous.fixed
    if "shown_sheet" in form:
        include = frozenset(int(value) for value in form.getlist("include") if value.isdigit() and len(value) < 8)
        fixable = {field.key for field in spec.fields if field.fixable}
        fixed = {
            key: " ".join(form.get(f"fixed-{key}", "").split())[:200]
            for key in fixable
            if form.get(f"fixed-{key}", "").strip()
        }
    return Choices(sheet, mapping, scales, include, fixed)


def preview_page(spec: ImportList, upload_id: str, *, upload_endpoint: str, done_url: str, **context):
    """Steps 2–4 on one page: the sheet and header found, each column's field, the rows as they will be
    stored, every problem and skipped row; changes are kept server-side and shown again (post, redirect,
    get); the import runs only on the preview the organizer saw, all rows or none."""
    festival = current_festival()
    upload = staging.find(upload_id, spec.kind, festival, current_user)
    if upload is None:
        abort(404)
    try:
        workbook = read_workbook(upload.read())
    except (OSError, SpreadsheetError):
        staging.discard(upload)
        flash(_("Tệp tải lên không còn đọc được; hãy tải lên lại."), "danger")
        return redirect(url_for(upload_endpoint))

    def page(result: Preview, include, status: int = 200):
        shown = render_template(
            "imports/preview.html",
            result=result,
            upload=upload,
            include=include,
            fingerprint=result.fingerprint(include),
            scales=SCALES,
            options=spec.options(festival) if spec.options else {},
            upload_endpoint=upload_endpoint,
            **context,
        )
        return shown, status

    if request.method == "POST":
        action = request.form.get("action", "preview")
        if action == "cancel":
            staging.discard(upload)
            flash(_("Đã huỷ; không có dòng nào được nhập."), "info")
            return redirect(url_for(upload_endpoint))
        choices = choices_from_form(request.form, workbook, spec, upload.choices)
        staging.save_choices(upload, choices)
        if action == "import":
            result = preview(festival, spec, workbook, choices)
            if result.fingerprint(choices.include) != request.form.get("fingerprint"):
                flash(_("Cách đọc tệp đã đổi so với bản xem trước; hãy xem lại rồi bấm Nhập."), "warning")
            elif not result.can_import:
                # Shown again with every problem and the choices as they were; 422, so nothing is kept.
                flash(_("Tệp có %(count)s lỗi; không có dòng nào được nhập.", count=result.problem_count), "danger")
                return page(result, choices.include, 422)
            else:
                created = commit_import(festival, result, choices, filename=upload.filename, by=current_user)
                on_commit(lambda: staging.discard(upload))
                flash(summary(result, len(created), upload.filename), "success")
                return redirect(done_url)
        anchor = request.form.get("anchor")
        anchor = anchor if anchor in SECTIONS else None
        return redirect(url_for(request.endpoint, upload_id=upload.id, _anchor=anchor))
    return page(preview(festival, spec, workbook, upload.choices), upload.choices.include)


def add_list_routes(
    bp: Blueprint,
    spec: ImportList | Callable[[], ImportList],
    *,
    guard: Callable,
    headings: tuple[str, str],
    help_template: str,
    help_context: Callable[[Festival], dict],
    done_url: Callable[[], str],
    template: tuple[Callable[[Festival], bytes], str],
    export: tuple[Callable[[Festival], bytes], str] | None,
) -> None:
    """Register a list's four pages on its blueprint, each behind `guard`: `import` (upload), `import/<upload_id>`
    (map, preview, import), `import/template.xlsx` and `export.xlsx`, as the endpoints `import_file`,
    `import_preview`, `import_template` and `export`. `spec` is the list, or a function giving the list for the
    signed-in user (a unit's account imports into its own unit only). `headings` are the upload and preview pages'
    titles, `help_template` (rendered with `help_context(festival)`) what the upload page says about this list;
    `template` and `export` are a builder and the file's name (`{edition}` is the festival's edition); a list with
    its own export passes `export=None`."""
    upload_endpoint, preview_endpoint = f"{bp.name}.import_file", f"{bp.name}.import_preview"
    spec_now = spec if isinstance(spec, ImportList) else None

    def current_spec() -> ImportList:
        return spec_now or spec()

    def import_file():
        """Importing a list, step 1: upload an XLSX or CSV (kept server-side for the next steps)."""
        festival = current_festival()
        return upload_page(
            current_spec(),
            preview_endpoint=preview_endpoint,
            heading=headings[0],
            help_template=help_template,
            template_url=url_for(f"{bp.name}.import_template"),
            **help_context(festival),
        )

    def import_preview(upload_id):
        """Importing a list, steps 2–4: the sheet and columns found, the preview, then all rows or none."""
        return preview_page(
            current_spec(), upload_id, upload_endpoint=upload_endpoint, done_url=done_url(), heading=headings[1]
        )

    def import_template():
        """The list's import template with Vietnamese headers and an instructions sheet."""
        build, name = template
        return send_file(io.BytesIO(build(current_festival())), mimetype=XLSX, as_attachment=True, download_name=name)

    def export_file():
        """Every row of the list in the festival, as an Excel workbook."""
        festival = current_festival()
        build, name = export
        return send_file(
            io.BytesIO(build(festival)),
            mimetype=XLSX,
            as_attachment=True,
            download_name=name.format(edition=festival.edition),
        )

    bp.add_url_rule("/import", "import_file", guard(import_file), methods=["GET", "POST"])
    bp.add_url_rule("/import/<upload_id>", "import_preview", guard(import_preview), methods=["GET", "POST"])
    bp.add_url_rule("/import/template.xlsx", "import_template", guard(import_template))
    if export is not None:
        bp.add_url_rule("/export.xlsx", "export", guard(export_file))


# ---------------------------------------------------------------- the command line


def import_options(command):
    """The options every list's `import` command takes."""
    options = [
        click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--sheet", help="Sheet to read (its name or number, 1 = first); default: the best match."),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="FIELD=COLUMN",
            help="Read FIELD from COLUMN (its letter or header); FIELD= reads it from no column. Repeatable.",
        ),
        click.option(
            "--set",
            "fixed",
            multiple=True,
            metavar="FIELD=VALUE",
            help='Give FIELD one VALUE for every row when no column has it, e.g. --set role="Đại biểu". Repeatable.',
        ),
        click.option(
            "--include-row", "include", multiple=True, type=int, help="Import this skipped row anyway (a hidden row)."
        ),
        click.option(
            "--dry-run", is_flag=True, help="Print the preview and problems, write nothing; exit 1 on problems."
        ),
        click.option("--festival", "edition", type=int, help="Edition number (default: the current festival)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _field_key(spec: ImportList, text: str) -> str:
    wanted = fold(text.strip())
    for field in spec.fields:
        if wanted in (fold(field.key), fold(field.title)):
            return field.key
    known = ", ".join(field.key for field in spec.fields)
    raise click.BadParameter(f"no field {text!r}; fields: {known}", param_hint="--map")


def _column_position(result: Preview, text: str) -> int:
    text = text.strip()
    for column in result.table.columns:
        if header_key(column.header) == header_key(text) and text:
            return column.position
    if text.isalpha() and len(text) <= 3:
        return column_index_from_string(text.upper()) - 1
    headers = ", ".join(column.describe() for column in result.table.columns)
    raise click.BadParameter(f"no column {text!r}; columns: {headers}", param_hint="--map")


def _mapping(result: Preview, spec: ImportList, maps) -> dict[int, str] | None:
    if not maps:
        return None
    mapping = dict(result.mapping)
    for item in maps:
        name, equals, column = item.partition("=")
        if not equals:
            raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--map")
        key = _field_key(spec, name)
        mapping = {position: field for position, field in mapping.items() if field != key}
        if column.strip():
            mapping[_column_position(result, column)] = key
    return mapping


def _fixed(spec: ImportList, items) -> dict[str, str]:
    fixed = {}
    for item in items:
        name, equals, value = item.partition("=")
        key = _field_key(spec, name) if equals else None
        field = spec.field(key) if key else None
        if field is None or not field.fixable or not value.strip():
            fixable = ", ".join(f.key for f in spec.fields if f.fixable)
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE with FIELD one of: {fixable}", param_hint="--set")
        fixed[key] = " ".join(value.split())
    return fixed


def _echo_preview(result: Preview, filename: str, full: bool) -> None:
    echo = click.echo
    sheets = [sheet.name for sheet in result.workbook.sheets]
    where = f"sheet “{result.sheet_name}” (sheets: {', '.join(sheets)})" if result.sheet_name is not None else "CSV"
    header = "–".join(str(n) for n in result.table.header_rows[:: max(len(result.table.header_rows) - 1, 1)])
    echo(f"{filename}: {where}; header row {header or '—'}; {result.data_rows} rows to import.")
    echo(f"Columns ({result.source} mapping):")
    for column, field in result.columns:
        scale = result.scales.get(column.position)
        unit = f" [{SCALES[scale]}]" if scale and scale != 1 else ""
        target = f"→ {field.key} ({field.title}){unit}" if field else "not imported"
        echo(f"  {column.describe():<40} {target}")
    for key, value in result.fixed.items():
        echo(f"  {'(every row)':<40} → {key} = {value}")
    if result.skipped:
        echo("Skipped rows:")
        for entry in result.skipped:
            text = f": {entry.text}" if entry.text else ""
            echo(f"  {entry.rows:<9} {entry.label}{text}")
    if full and result.rows:
        echo(f"Rows as they will be stored (first {len(result.shown_rows)} of {len(result.rows)}):")
        keys = [field.key for field in result.shown_fields]
        echo("  row   " + " | ".join(keys))
        for row in result.shown_rows:
            echo(f"  {row.number:<5} " + " | ".join(str(row.shown.get(key) or "") for key in keys))
    for title, entries in (("Notes:", result.notes), ("Check:", group_notes(result.problems.warnings))):
        if entries:
            echo(title)
            for note in entries:
                column = f", cột {note.column}" if note.column else ""
                echo(f"  Dòng {note.rows}{column}: {note.message}")


def _echo_problems(result: Preview) -> None:
    for message in result.table_problems:
        click.echo(f"  {message}", err=True)
    for problem in result.problems.problems:
        click.echo(f"  {problem}", err=True)
    for column, hint in result.problems.hints.items():
        click.echo(f"  {column}: {hint}", err=True)


def run_command(
    spec: ImportList, noun: str, festival: Festival, path: Path, sheet, maps, fixed, include, dry_run
) -> None:
    """An import command into `festival`: the same steps as the web pages, the choices given as options."""
    try:
        workbook = read_workbook(path.read_bytes())
    except SpreadsheetError as error:
        click.echo(f"Refused: {error.message}", err=True)
        sys.exit(1)
    if sheet is not None and find_sheet(workbook, sheet) is None:
        names = ", ".join(f"“{s.name}”" for s in workbook.sheets if s.name is not None) or "none (a CSV file)"
        raise click.BadParameter(f"no sheet {sheet!r}; the file's sheets: {names}", param_hint="--sheet")
    chosen_sheet = find_sheet(workbook, sheet).name if sheet is not None else None
    first = preview(festival, spec, workbook, Choices(sheet=chosen_sheet))
    choices = Choices(
        sheet=first.sheet_name,
        mapping=_mapping(first, spec, maps),
        include=frozenset(include),
        fixed=_fixed(spec, fixed),
    )
    result = preview(festival, spec, workbook, choices)
    _echo_preview(result, path.name, full=dry_run)
    if dry_run:
        db.session.rollback()
        if result.problem_count:
            click.echo(f"Problems: {result.problem_count}; nothing would be imported.", err=True)
            _echo_problems(result)
            sys.exit(1)
        click.echo(f"Dry run: {len(result.rows)} {noun} would be imported; nothing written.")
        return
    try:
        created = commit_import(festival, result, choices, filename=path.name, by=None)
    except ImportRejected as rejected:
        db.session.rollback()
        click.echo(f"Refused: {rejected.message}", err=True)
        _echo_problems(result)
        sys.exit(1)
    db.session.commit()
    skipped = sum(entry.last - entry.first + 1 for entry in result.skipped)
    click.echo(f"Imported {len(created)} {noun} into festival {festival.edition} ({skipped} rows skipped).")
