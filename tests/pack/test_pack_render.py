"""The pack's files: HTML conventions, the PDF renders with page numbers, XLSX formats."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from csplan.pack.builder import build_pack
from csplan.pack.render import render_html, render_pdf, render_xlsx

TABLES = ["programme_summary", "monitoring_summary", "at_risk", "movements"]


@pytest.fixture
def pack(plan, month9):
    return build_pack(plan, month9, TABLES, draws=500)


def test_html_is_an_accessible_committee_document(pack):
    html = render_html(pack)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert html.count("<h1") == 1
    assert html.count('<h2 id="t-') == len(pack.tables)
    assert 'counter(page) " of " counter(pages)' in html
    assert "Totals may not add because of rounding." in html
    assert "(300)" in html  # the write-off, in brackets, £'000
    assert "£&#x27;000" in html or "£'000" in html
    assert 'class="govuk-table__row csplan-total"' in html
    assert 'role="img"' in html  # charts carry a title and description


def _pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_renders_with_page_numbers(pack, tmp_path):
    pdf = render_pdf(pack)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    pages = text.count("\f")
    assert pages >= 5
    assert "Page 1 of" in text and f"Page {pages} of {pages}" in text
    assert "Savings monitoring summary, 2016/17 Month 9 (December)" in text
    assert "Totals may not add because of rounding." in text
    (tmp_path / "pack.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(tmp_path / "pack.pdf"),
         str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 2 and all(image.stat().st_size > 1000 for image in images)


def test_xlsx_has_number_formats_totals_and_notes(pack):
    workbook = load_workbook(io.BytesIO(render_xlsx(pack)))
    assert workbook.sheetnames == ["Contents", *(table.name for table in pack.tables)]
    assert "movements_reconciliation" in workbook.sheetnames
    sheet = workbook["monitoring_summary"]
    header = [cell.value for cell in sheet[2]]
    assert header[0] == "Workstream" and header[7] == "Net at risk"
    assert [cell.value for cell in sheet[3]][1] == "£'000"
    total_row = next(row for row in sheet.iter_rows() if row[0].value == "Total")
    assert total_row[0].font.bold and total_row[2].font.bold
    assert float(total_row[2].value) == 5036.0  # £'000, exact
    assert total_row[2].number_format == "#,##0;(#,##0)"
    assert total_row[8].number_format == "0.0;(0.0)"
    texts = [row[0].value for row in sheet.iter_rows() if row[0].value]
    assert "Totals may not add because of rounding." in texts
    movements = workbook["movements"]
    write_off = next(row for row in movements.iter_rows() if row[2].value == "Write-off")
    assert float(write_off[6].value) == -300.0
    assert write_off[6].number_format == "#,##0;(#,##0)"  # shown as (300)
