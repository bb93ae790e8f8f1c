"""Reports: a table is first data, then a renderer per format.

Data (``csplan.reports.table``)
    ``Table(name, title, columns, rows, notes=(), meta={})``
    ``Column(heading, kind=ColumnKind.TEXT, unit=None, places=0)`` — kinds: text, money
    (exact ``Decimal`` pounds shown in ``unit`` £/£'000/£m to ``places``), percent, number.
    ``Row(cells, kind=RowKind.LINE)`` — kinds: line, subtotal, total; cells are ``Decimal``,
    ``str`` ("n/a", "TBC") or ``None`` (blank). ``table.displayed()`` gives every cell as the
    committee sees it; ``neutralise(text)`` guards spreadsheets against formula injection.

Builders (``csplan.reports.programme``), each over ``ProgrammeFigures``:
    ``workstream_report(programme) -> Table``            Table I.1 (£m, 1 d.p., % of budget)
    ``proposals_report(programme, form=PhasingForm.CUMULATIVE, *, unit=Unit.THOUSANDS,
    places=0, workstream_column=False) -> Table``        Appendix 1 (£'000 per year, FTE)
    ``targets_report(programme, *, unit=Unit.THOUSANDS) -> Table``  target v proposals by year
    ``build_report(name, programme, form) -> Table``     by name: workstreams/proposals/targets

Renderers (``csplan.reports.render``):
    ``render_text(table)``, ``render_csv(table, unit_row=False)``, ``render_markdown(table)``,
    ``render_json(table)`` / ``table_to_dict(table)``, ``render_html(table)`` (a GOV.UK
    table fragment, escaped), ``render_xlsx(table) -> bytes`` and
    ``add_table_sheet(workbook, table)`` to add a sheet to an openpyxl workbook.
    ``render(table, fmt) -> bytes`` by format name (``FORMATS``), with ``MEDIA_TYPES`` and
    ``EXTENSIONS``; ``download(table, fmt) -> (body, media_type, filename)`` for a response.

A web view's machine-readable twin, for example::

    from csplan.programme.store import default_plan, programme_figures
    from csplan.reports import programme as reports, render

    table = reports.workstream_report(programme_figures(default_plan()))
    body, media_type, filename = render.download(table, "xlsx")  # workstreams.xlsx
    response = HttpResponse(body, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    html_fragment = render.render_html(table)  # mark_safe(): every cell is escaped

Conventions: money is rounded once (``round_half_up``) to the column's places; text, Markdown
and HTML use separators and brackets (``(464)``); CSV and JSON use plain numbers in the
column's unit (``-464``) with the unit in the header or metadata; XLSX holds the exact value
in the unit with a number format (``#,##0;(#,##0)``), bold totals, a frozen header and the
notes under the table. CSV has no title or notes, so it can be read back by the importer.
"""
