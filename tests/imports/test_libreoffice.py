"""The fixture set as LibreOffice Calc saves it: every workbook opened and saved again (formulas calculated,
styles and shared strings rewritten, merges and hidden rows kept) imports the same rows or is refused the same
way; its CSV in LibreOffice's UTF-8 and UTF-16 flavours reads the same; its .ods and .xls are refused with the
steps to save them properly. Skipped only when LibreOffice is not installed (`make test` installs it)."""

import shutil
import subprocess

import pytest

from tests.imports.office_files import CASES
from tests.imports.test_office_files import check_import

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (make test-debs installs it)")

XLSX = "xlsx:Calc MS Excel 2007 XML"
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):59,34,76,1"  # semicolons, quotes, UTF-8
CSV_UTF16 = "csv:Text - txt - csv (StarCalc):9,34,65535,1"  # tabs, quotes, UTF-16
WORKBOOKS = [case for case in CASES if case.convert]
# Single-sheet lists whose CSV loses nothing an import needs (no hidden rows, merges or other sheets).
FLAT = [
    case
    for case in CASES
    if case.name
    in {
        "mau-cu-con-dong-vi-du.xlsx",
        "ho-va-ten-tach-hai-cot.xlsx",
        "sang-kien-tien-bang-chu.xlsx",
        "exhibits-cot-cu.xlsx",
    }
]
OFFICIAL = next(case for case in CASES if case.name == "dai-bieu-may10-cong-van.xlsx")


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """Converts the fixture set with LibreOffice headless, once per target: target -> {case name: file}."""
    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "in"
    source.mkdir()
    for case in WORKBOOKS:
        (source / case.name).write_bytes(case.build())
    done: dict[str, dict] = {}

    def convert(target: str) -> dict:
        if target not in done:
            out = folder / f"out-{len(done)}"
            profile = (folder / f"profile-{len(done)}").as_uri()  # its own profile: runs never share a lock
            command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
            files = [str(source / case.name) for case in WORKBOOKS]
            subprocess.run(
                [*command, "--convert-to", target, "--outdir", str(out), *files],
                check=True,
                capture_output=True,
                timeout=300,
            )
            extension = target.split(":")[0]
            done[target] = {case.name: out / f"{case.name.rsplit('.', 1)[0]}.{extension}" for case in WORKBOOKS}
        return done[target]

    return convert


@pytest.mark.parametrize("case", WORKBOOKS, ids=[case.name for case in WORKBOOKS])
def test_a_workbook_saved_again_by_libreoffice_imports_the_same(app, runner, sector, libreoffice, case):
    path = libreoffice(XLSX)[case.name]
    assert path.read_bytes().startswith(b"PK")
    rows = case.office.get("rows", case.rows)  # LibreOffice calculates formulas; a file may then import
    check_import(app, runner, case, path, rows, case.office.get("refusal", case.refusal))


@pytest.mark.parametrize("target", [CSV_UTF8, CSV_UTF16], ids=["semicolon UTF-8", "tab UTF-16"])
@pytest.mark.parametrize("case", FLAT, ids=[case.name for case in FLAT])
def test_libreoffice_csv_reads_the_same(app, runner, sector, libreoffice, case, target):
    path = libreoffice(target)[case.name]
    data = path.read_bytes()
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff") if target == CSV_UTF16 else b";" in data.splitlines()[0]
    check_import(app, runner, case, path, case.rows, case.refusal)


@pytest.mark.parametrize(
    "target, messages",
    [
        ("ods", ["OpenDocument (.ods)", "Excel 2007-365 (.xlsx)"]),
        ("xls:MS Excel 97", ["Excel 97-2003 (.xls)", "LibreOffice Calc"]),
    ],
    ids=["ods", "xls"],
)
def test_libreoffice_own_and_old_excel_formats_are_refused_with_the_steps(
    app, runner, sector, libreoffice, target, messages
):
    check_import(app, runner, OFFICIAL, libreoffice(target)[OFFICIAL.name], [], messages)
