"""The pack rendered as a standalone HTML document, a PDF (WeasyPrint) and a workbook
(openpyxl). Council conventions: £'000, brackets for negatives, bold totals, a rounding note,
financial years, accessible headings, and page numbers in the PDF (CSS @page counters)."""

from __future__ import annotations

import html
import io

from csplan.core.render import add_table_sheet
from csplan.core.render import render_html as table_html
from csplan.pack.builder import PackData

CSS = """
@page {
  size: A4 landscape;
  margin: 16mm 14mm 18mm 14mm;
  @top-left { content: string(pack-title); font: 8pt Arial, Helvetica, sans-serif;
              color: #505a5f; }
  @bottom-left { content: "Totals may not add because of rounding. £'000 unless stated.";
                 font: 8pt Arial, Helvetica, sans-serif; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 8pt Arial, Helvetica, sans-serif; color: #505a5f; }
}
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; font-size: 10pt;
       line-height: 1.3; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 4mm; string-set: pack-title content(); }
h2 { font-size: 14pt; margin: 0 0 3mm; break-after: avoid; }
.pack-meta { color: #505a5f; margin: 0 0 6mm; }
section { break-before: page; }
section.first { break-before: auto; }
table.csplan-report { border-collapse: collapse; width: 100%; margin: 0 0 3mm;
                      font-size: 8.5pt; }
table.csplan-report th, table.csplan-report td { border-bottom: 1px solid #b1b4b6;
  padding: 1.2mm 1.6mm; text-align: left; vertical-align: top; }
table.csplan-report thead th { border-bottom: 2px solid #0b0c0c; font-weight: bold;
  vertical-align: bottom; }
table.csplan-report thead { display: table-header-group; }
table.csplan-report tr { break-inside: avoid; }
.govuk-table__header--numeric, .govuk-table__cell--numeric { text-align: right !important; }
td.govuk-table__cell--numeric { white-space: nowrap; }
tr.csplan-total th, tr.csplan-total td { border-top: 2px solid #0b0c0c;
  border-bottom: 3px double #0b0c0c; }
tr.csplan-subtotal th, tr.csplan-subtotal td { border-top: 1px solid #0b0c0c; }
.govuk-body-s { font-size: 8pt; color: #505a5f; margin: 0 0 1mm; }
figure { margin: 0 0 6mm; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
.charts figure svg { width: 120mm; height: 56mm; }
.charts figcaption { font-size: 8.5pt; }
figcaption { font-size: 9pt; color: #505a5f; max-width: 170mm; }
.charts { orphans: 1; widows: 1; }
.charts figure { display: inline-block; width: 120mm; margin: 0 6mm 4mm 0;
                 vertical-align: top; }
ol.contents { columns: 2; }
.pack-cover { border-bottom: 2px solid #0b0c0c; margin: 0 0 5mm; padding: 0 0 3mm; }
.pack-cover__committee { font-size: 13pt; font-weight: bold; margin: 0 0 2mm; }
.pack-cover__details { display: grid; grid-template-columns: 32mm auto; margin: 0 0 3mm; }
.pack-cover__details dt { font-weight: bold; }
.pack-cover__details dd { margin: 0; }
.pack-cover__purpose { white-space: pre-line; max-width: 200mm; }
.govuk-tag { display: inline-block; padding: 0.2mm 1.4mm; font-weight: bold;
             border: 1px solid currentColor; }
.govuk-tag--green { color: #005a30; background: #cce2d8; }
.govuk-tag--yellow { color: #594d00; background: #fff7bf; }
.govuk-tag--orange { color: #6e3619; background: #fcd6c3; }
.govuk-tag--red { color: #2a0b06; background: #f4cdc6; }
.govuk-tag--blue { color: #0c2d4a; background: #bbd4ea; }
.govuk-tag--grey { color: #282d30; background: #e5e6e7; }
"""


def _sections(pack: PackData) -> list[str]:
    e = html.escape
    out = []
    for table in pack.tables:
        out.append(f'<section aria-labelledby="t-{e(table.name)}">')
        out.append(f'<h2 id="t-{e(table.name)}">{e(table.title)}</h2>')
        out.append(table_html(table, caption=False))
        out.append("</section>")
    return out


def _charts(pack: PackData) -> list[str]:
    if not pack.charts:
        return []
    e = html.escape
    out = [
        '<section aria-labelledby="charts">',
        '<h2 id="charts">Charts</h2>',
        '<div class="charts">',
    ]
    for chart in pack.charts:
        out.append(f'<figure aria-labelledby="c-{e(chart.name)}">')
        out.append(chart.svg)
        out.append(
            f'<figcaption id="c-{e(chart.name)}"><strong>{e(chart.title)}.</strong> '
            f"{e(chart.description)}</figcaption>"
        )
        out.append("</figure>")
    out += ["</div>", "</section>"]
    return out


def _cover(pack: PackData) -> list[str]:
    """The cover's details at the top of the first page (nothing when the pack has none)."""
    cover = pack.cover
    if cover is None:
        return []
    e = html.escape
    when = f"{cover.meeting_date.day} {cover.meeting_date:%B %Y}"
    recommendations = "".join(f"<li>{e(text)}</li>" for text in cover.recommendations)
    return [
        '<div class="pack-cover">',
        f'<p class="pack-cover__committee">Report to {e(cover.committee)}</p>',
        '<dl class="pack-cover__details">',
        f"<dt>Meeting date</dt><dd>{e(when)}</dd>",
        f"<dt>Report of</dt><dd>{e(cover.author_role)}</dd>",
        "</dl>",
        '<h2 id="purpose">Purpose of the report</h2>',
        f'<p class="pack-cover__purpose">{e(cover.purpose)}</p>',
        '<h2 id="recommendations">Recommendations</h2>',
        f"<p>The committee is asked to:</p><ol>{recommendations}</ol>",
        "</div>",
    ]


def render_html(pack: PackData) -> str:
    e = html.escape
    since = f"; movements since {pack.since}" if pack.since else ""
    contents = ['<li><a href="#charts">Charts</a></li>'] if pack.charts else []
    contents += [f'<li><a href="#t-{e(t.name)}">{e(t.title)}</a></li>' for t in pack.tables]
    body = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(pack.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        '<section class="first" aria-labelledby="pack-title">',
        *_cover(pack),
        f'<h1 id="pack-title">{e(pack.title)}</h1>',
        f'<p class="pack-meta">{e(pack.council)}: {e(pack.plan)}. Monitoring period '
        f"{e(pack.period.label)} ({e(pack.period.month_name)} {pack.period.calendar_year}) of "
        f"{e(str(pack.period.year))}{e(since)}.</p>",
        "<h2>Contents</h2>",
        f'<ol class="contents">{"".join(contents)}</ol>',
        *(f'<p class="govuk-body-s">{e(note)}</p>' for note in pack.notes),
        "</section>",
        *_charts(pack),
        *_sections(pack),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(body) + "\n"


def render_pdf(pack: PackData) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(pack)).write_pdf()


def render_xlsx(pack: PackData) -> bytes:
    """A contents sheet, then one sheet per table (number formats, bold totals, notes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents.append([pack.title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([f"{pack.council}: {pack.plan}"])
    contents.append([f"Monitoring period: {pack.period}"])
    contents.append([])
    contents.append(["Sheet", "Table"])
    for cell in contents[5]:
        cell.font = Font(bold=True)
    used: set[str] = {"Contents"}
    for table in pack.tables:
        sheet = add_table_sheet(workbook, table)
        if sheet.title in used:  # two tables with one name: keep both
            sheet.title = f"{sheet.title[:28]}_{len(used)}"
        used.add(sheet.title)
        contents.append([sheet.title, table.title])
    contents.append([])
    for note in pack.notes:
        contents.append([note])
    contents.column_dimensions["A"].width = 28
    contents.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RENDERERS = {"html": lambda p: render_html(p).encode("utf-8"), "pdf": render_pdf,
             "xlsx": render_xlsx}  # fmt: skip
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(pack: PackData, fmt: str) -> bytes:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown pack format {fmt!r}: choose html, pdf or xlsx")
    return RENDERERS[fmt](pack)
