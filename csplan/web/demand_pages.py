"""What each demand page shows, as tables and plain values (the views only render them)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from csplan.core.charts.fan import fan_chart_svg, legend_svg
from csplan.core.money import Unit
from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError
from csplan.core.table import Cell, Column, ColumnKind, Row, Table
from csplan.evidence.models import Evidence
from csplan.evidence.records import compare_with_line
from csplan.forecasts import services
from csplan.forecasts.models import Dataset, Scenario
from csplan.forecasts.uploads import describe_size
from csplan.programme.models import Council, SavingsLine


def _table(
    name: str, title: str, columns: list[Column], rows: list[tuple[Cell, ...]], note: str = ""
) -> Table:
    return Table(name, title, tuple(columns), tuple(Row(cells) for cells in rows),
                 notes=(note,) if note else ())  # fmt: skip


def _thousands(heading: str) -> Column:
    """Annual costs and savings: committee money, £'000 with brackets."""
    return Column(heading, ColumnKind.MONEY, Unit.THOUSANDS, 0)


def _children(heading: str) -> Column:
    """Children looked after as the model gives them (a mean or percentile): one place."""
    return Column(heading, ColumnKind.NUMBER, places=1)


def _number(value: float | int | None) -> Decimal | None:
    """A model figure (a float) as the exact decimal it prints as."""
    if value is None:
        return None
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def _count(value: Any) -> int | str | None:
    """A row number or a count as read from a report (a number, or text when it is not one)."""
    if value is None or value == "":
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    return str(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _day(value: Any) -> date | str | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    return parse_day(str(value)) or str(value)


def index_page() -> dict[str, Any]:
    datasets = list(Dataset.objects.select_related("uploaded_by"))
    table = _table(
        "datasets",
        "Uploaded data sets",
        [
            Column("Number"),
            Column("Name"),
            Column("Uploaded", ColumnKind.DATE),
            Column("Children", ColumnKind.COUNT),
            Column("Episodes", ColumnKind.COUNT),
            Column("Data to", ColumnKind.DATE),
            Column("Data hash"),
        ],
        [
            (
                str(d.pk),
                d.name,
                d.uploaded_at.date(),
                d.child_count,
                d.episode_count,
                d.last_date,
                d.data_hash[:12],
            )
            for d in datasets
        ],  # fmt: skip
    )
    return {
        "datasets": datasets,
        "scenarios": list(Scenario.objects.all()),
        "councils": list(Council.objects.order_by("name")),
        "page_tables": [table],
    }


def dataset_page(dataset: Dataset) -> dict[str, Any]:
    files = _table(
        "files",
        "Files",
        [Column("File"), Column("Size"), Column("Bytes", ColumnKind.COUNT), Column("SHA-256")],
        [(f.name, describe_size(f.size), f.size, f.sha256) for f in dataset.files.defer("content")],
    )
    return {
        "dataset": dataset,
        "report": getattr(dataset, "report", None),
        "scenarios": list(Scenario.objects.all()),
        "page_tables": [files],
    }


#: (key in the report, column): the validation report's two tables.
ISSUE_COLUMNS = [
    ("file", Column("File")),
    ("row", Column("Row", ColumnKind.COUNT)),
    ("column", Column("Column")),
    ("child", Column("Child")),
    ("rule", Column("Rule")),
    ("message", Column("Problem")),
    ("action", Column("What csplan did")),
]
FINDING_COLUMNS = [
    ("rule", Column("Rule")),
    ("file", Column("File")),
    ("row", Column("Row", ColumnKind.COUNT)),
    ("child", Column("Child")),
    ("message", Column("Finding")),
    ("status", Column("Status")),
]


def _report_rows(
    columns: list[tuple[str, Column]], records: list[dict[str, Any]]
) -> list[tuple[Cell, ...]]:
    return [
        tuple(
            _count(record.get(key)) if column.kind is ColumnKind.COUNT else _text(record.get(key))
            for key, column in columns
        )
        for record in records
    ]


def validation_page(dataset: Dataset) -> dict[str, Any]:
    report = dataset.report
    issues = _table(
        "input_issues",
        "Problems found reading the files",
        [column for _, column in ISSUE_COLUMNS],
        _report_rows(ISSUE_COLUMNS, list(report.input_issues)),
    )
    findings = [dict(f) for f in report.dfe_findings]
    for finding in findings:
        finding["status"] = "Known false positive" if finding.get("false_positive") else "To check"
    dfe = _table(
        "dfe_findings",
        "DfE validator findings",
        [column for _, column in FINDING_COLUMNS],
        _report_rows(FINDING_COLUMNS, findings),
        note="Known false positives are defects of the DfE validator (version "
        "0.1.17), not of your data; csplan lists them so you can see they were checked.",
    )
    false_positives = sum(1 for f in findings if f.get("false_positive"))
    return {
        "dataset": dataset,
        "report": report,
        "issues": issues,
        "dfe": dfe,
        "finding_rows": findings,
        "false_positive_count": false_positives,
        "real_finding_count": len(findings) - false_positives,
        "page_tables": [issues, dfe],
        "meta": {"data_hash": dataset.data_hash},
    }


def _run_meta(run: Any) -> dict[str, Any]:
    return {
        "data_hash": run.data_hash,
        "parameters": run.parameters,
        "scenario": run.scenario.name if run.scenario else None,
    }


def _settings_context(dataset: Dataset, settings: services.RunSettings) -> dict[str, Any]:
    return {"run_settings": settings, "has_population": bool(dataset.population)}


def forecast_page(
    dataset: Dataset,
    scenario: Scenario | None,
    user: Any,
    settings: services.RunSettings = services.RunSettings(),
) -> dict[str, Any]:
    run = services.forecast_run(dataset, scenario, user=user, settings=settings)
    every = services.fans(run)
    fans = [fan for fan in every if not _empty(fan)]
    empty = [fan.label for fan in every if _empty(fan)]
    charts = []
    tables = []
    for index, fan in enumerate(fans):
        last = fan.actuals[-1][1] if fan.actuals else None
        final = fan.forecast[-1] if fan.forecast else None
        description = (
            f"Children looked after in {fan.label.lower()}, month by month: "
            f"{len(fan.actuals)} months of actual numbers"
            + (f" ending at {last:,.0f}" if last is not None else "")
            + (
                f", then a forecast to {final.month:%B %Y} with a median of {final.p50:,.0f} "
                f"and a range of {final.p10:,.0f} to {final.p90:,.0f} (10th to 90th percentile)."
                if final
                else "."
            )
        )
        chart_id = f"fan-{index}"
        rows: list[tuple[Cell, ...]] = [
            (m, "Actual", None, _number(v), None) for m, v in fan.actuals[-12:]
        ]
        rows += [
            (p.month, "Forecast", _number(p.p10), _number(p.p50), _number(p.p90))
            for p in fan.forecast
        ]
        table = _table(
            f"forecast_{fan.group}",
            f"{fan.label}: children looked after at the end of each month",
            [
                Column("Month end", ColumnKind.DATE),
                Column("Actual or forecast"),
                _children("10th percentile"),
                _children("Median (actual)"),
                _children("90th percentile"),
            ],
            rows,
            note="The last 12 months of actual numbers, then the forecast.",
        )
        tables.append(table)
        charts.append(
            {
                "id": chart_id,
                "label": fan.label,
                "svg": fan_chart_svg(
                    chart_id=chart_id,
                    title=f"{fan.label}: children looked after, actual and forecast",
                    description=description,
                    actuals=fan.actuals,
                    forecast=fan.forecast,
                ),
                "table": table,
            }
        )
    return {
        **_settings_context(dataset, settings),
        "dataset": dataset,
        "scenario": scenario,
        "scenarios": list(Scenario.objects.all()),
        "run": run,
        "charts": charts,
        "legend": legend_svg(),
        "page_tables": tables,
        "meta": _run_meta(run),
        "run_parameters": json.dumps(run.parameters, indent=2, sort_keys=True),
        "empty_groups": empty,
    }


def _empty(fan: Any) -> bool:
    """No child in the group in the data, and none forecast."""
    return not any(v for _, v in fan.actuals) and not any(p.p90 for p in fan.forecast)


def costs_page(
    dataset: Dataset,
    scenario: Scenario | None,
    user: Any,
    settings: services.RunSettings = services.RunSettings(),
) -> dict[str, Any]:
    run = services.forecast_run(dataset, scenario, user=user, settings=settings)
    by_year = services.cost_table(run)
    groups = by_year.groups
    table = _table(
        "costs",
        "Forecast cost of placements by financial year",
        [Column("Financial year")]
        + [_thousands(by_year.labels[g]) for g in groups]
        + [_thousands("Total")],
        [
            (str(year), *[amounts[g] for g in groups], amounts["total"])
            for year, amounts in by_year.rows.items()
        ],
        note="The model's figures are rounded to the penny once, when they become money, and "
        "shown in £'000. Uses the expected (mean) forecast.",
    )
    statement = unit_costs_statement(run.parameters.get("unit_costs"))
    table = Table(table.name, table.title, table.columns, table.rows,
                  notes=(*table.notes, statement))  # fmt: skip
    return {
        **_settings_context(dataset, settings),
        "dataset": dataset,
        "scenario": scenario,
        "unit_costs_statement": statement,
        "scenarios": list(Scenario.objects.all()),
        "run": run,
        "costs": table,
        "page_tables": [table],
        "meta": _run_meta(run),
        "run_parameters": json.dumps(run.parameters, indent=2, sort_keys=True),
    }


def unit_costs_statement(used: dict[str, Any] | None) -> str:
    """Which unit costs priced a run, in words: the council's own (each dated, with its
    source) over the illustrative defaults, or the defaults alone."""
    used = used or {}
    label = used.get("defaults") or "unit_costs.yaml"
    defaults = f"the illustrative defaults shipped with csplan ({label})"
    own = used.get("own") or []
    if not own:
        council = used.get("council")
        whose = f"{council} has no unit costs of its own in force, so " if council else ""
        return f"Unit costs: {whose}{defaults}."
    labels = dict(services.placement_groups())
    parts = [
        f"{labels.get(c['group'], c['group'])} £{Decimal(c['weekly_cost']):,.2f} a week from "
        f"{date.fromisoformat(c['effective_from']):%-d %B %Y} ({c['source']})"
        for c in own
    ]
    rest = "; other placement groups: " + defaults if len(own) < len(labels) else ""
    return f"Unit costs: {used['council']}'s own: " + "; ".join(parts) + rest + "."


def unit_costs_page(council: Council) -> dict[str, Any]:
    """The council's unit costs in force today by placement group (or the default used), and
    every dated figure it has given."""
    in_force = {c.group: c for c in services.unit_costs_in_force(council)}
    defaults = services.default_unit_costs()
    groups = services.placement_groups()
    current = _table(
        "unit_costs",
        f"{council.name}: weekly unit costs in force today",
        [Column("Placement group"), Column("Weekly cost", ColumnKind.MONEY, Unit.POUNDS, 2),
         Column("Effective from", ColumnKind.DATE), Column("Source")],
        [
            (label, in_force[key].weekly_cost, in_force[key].effective_from,
             in_force[key].source)
            if key in in_force
            else (label, defaults[key], None, "Illustrative default (csplan)")
            for key, label in groups
        ],
        note="A group without a cost of the council's own is priced with csplan's illustrative "
        "default, shown here at its price base. A cost is in the prices of the financial year "
        "it takes effect in; other years are inflated from it.",
    )  # fmt: skip
    labels = dict(groups)
    every = _table(
        "unit_cost_history",
        "Every unit cost given",
        [Column("Placement group"), Column("Weekly cost", ColumnKind.MONEY, Unit.POUNDS, 2),
         Column("Effective from", ColumnKind.DATE), Column("Source")],
        [(labels.get(c.group, c.group), c.weekly_cost, c.effective_from, c.source)
         for c in council.unit_costs.order_by("group", "-effective_from")],
    )  # fmt: skip
    return {"council": council, "page_tables": [current, every]}


class PoundsField(forms.DecimalField):
    """Pounds as a finance officer types them: "1,050.00" and "£1,050" are 1050.00."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace(",", "").replace("£", "").strip()
        return super().to_python(value)


class UnitCostForm(forms.Form):
    group = forms.ChoiceField(
        label="Placement group",
        error_messages={"required": "Choose a placement group",
                        "invalid_choice": "Choose a placement group"},
    )  # fmt: skip
    weekly_cost = PoundsField(
        label="Weekly cost (£ per child per week)", min_value=Decimal(0), max_digits=12,
        decimal_places=2, help_text="For example 925.50",
        error_messages={"required": "Enter the weekly cost",
                        "invalid": "Weekly cost: enter an amount in pounds, for example 925.50",
                        "min_value": "Weekly cost: enter 0 or more",
                        "max_digits": "Weekly cost: enter a smaller amount",
                        "max_decimal_places": "Weekly cost: enter pounds and pence only",
                        "max_whole_digits": "Weekly cost: enter a smaller amount"},
    )  # fmt: skip
    effective_from = forms.DateField(
        label="Effective from", input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="The day the cost applies from, for example 01/04/2026",
        error_messages={"required": "Enter the date the cost applies from",
                        "invalid": "Effective from: enter a date, for example 01/04/2026"},
    )  # fmt: skip
    source = forms.CharField(
        label="Source", max_length=500, widget=forms.Textarea,
        help_text="Where the figure comes from, for example 'Budget book 2026/27, p. 14'",
        error_messages={"required": "Enter where the figure comes from"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = services.placement_groups()


#: Scenarios compared beyond this are headed S1, S2, ... with a key, so the columns stay narrow.
NAMED_COLUMNS = 3


def compared_headings(scenario_names: list[str]) -> tuple[list[str], str]:
    """The comparison's column headings (the baseline first) and, when there are more than
    three scenarios, the key to their short headings ("" otherwise)."""
    if len(scenario_names) <= NAMED_COLUMNS:
        return ["Baseline", *scenario_names], ""
    short = [f"S{n}" for n in range(1, len(scenario_names) + 1)]
    key = "Key: " + "; ".join(
        f"{s} = {name}" for s, name in zip(short, scenario_names, strict=True)
    )
    return ["Baseline", *short], key + "."


def compare_page(
    dataset: Dataset, scenario_ids: list[str], dates: list[str], user: Any
) -> dict[str, Any]:
    chosen = services.chosen_scenarios(scenario_ids)
    comparison = services.compare(dataset, chosen, dates, user=user)
    names, key = compared_headings([s.name for s in chosen])
    children = _table(
        "children",
        "Children looked after (median forecast)",
        [Column("Date", ColumnKind.DATE), Column("Placement group")]
        + [_children(n) for n in names],
        [(row.day, row.label, *[_number(v) for v in row.values]) for row in comparison.children],
        note=key,
    )
    cost = _table(
        "cost",
        "Cost by financial year",
        [Column("Financial year")] + [_thousands(n) for n in names],
        [(str(year), *values) for year, values in comparison.costs.items()],
        note=key,
    )
    saving = _table(
        "saving",
        "Saving against the baseline by financial year",
        [Column("Financial year")] + [_thousands(n) for n in names[1:]],
        [(str(year), *values) for year, values in comparison.savings.items()],
        note="Saving = baseline cost less scenario cost, in each financial year (the in-year "
        "effect). A negative figure (in brackets) is a cost." + (f" {key}" if key else ""),
    )
    tables = [children, saving, cost] if chosen else [children, cost]
    return {
        "dataset": dataset,
        "scenarios": list(Scenario.objects.all()),
        "chosen": chosen,
        "chosen_ids": [str(s.pk) for s in chosen],
        "dates": comparison.dates,
        "date_options": comparison.date_options,
        "page_tables": tables,
        "meta": {
            "data_hash": dataset.data_hash,
            "parameters": comparison.parameters,
        },
    }


def scenarios_page() -> dict[str, Any]:
    scenarios = list(Scenario.objects.select_related("author"))
    table = _table(
        "scenarios",
        "Saved scenarios",
        [
            Column("Number"),
            Column("Name"),
            Column("Description"),
            Column("Author"),
            Column("Last changed", ColumnKind.DATE),
        ],
        [
            (
                str(s.pk),
                s.name,
                s.description,
                s.author.get_username() if s.author else "",
                s.updated_at.date(),
            )
            for s in scenarios
        ],  # fmt: skip
    )
    return {"scenarios": scenarios, "page_tables": [table]}


def scenario_page(scenario: Scenario) -> dict[str, Any]:
    rows = services.describe_scenario(scenario)
    table = _table(
        "adjustments",
        "Adjustments",
        [Column("Adjustment"), Column("Detail")],
        [(_text(r.get("what")), _text(r.get("detail"))) for r in rows],
    )
    history = [
        {
            "when": h.history_date,
            "who": h.history_user.get_username() if h.history_user else "",
            "type": h.get_history_type_display(),
        }
        for h in scenario.history.select_related("history_user")[:10]
    ]
    return {
        "scenario": scenario,
        "definition_json": json.dumps(scenario.definition, indent=2, sort_keys=True),
        "history": history,
        "page_tables": [table],
        "datasets": list(Dataset.objects.order_by("-uploaded_at", "-id")[:5]),  # to use it with
    }


def evidence_page(item: Evidence) -> dict[str, Any]:
    rows = compare_with_line(item.line, item)
    table = _table(
        "comparison",
        f"{item.line.reference} {item.line.title}: planned and evidenced saving",
        [
            Column("Financial year"),
            _thousands("Planned (in year)"),
            _thousands("Evidenced"),
            _thousands("Gap"),
        ],
        [(str(r.year), r.planned, r.evidenced, r.gap) for r in rows],
        note="Planned is the saving the line has in place in each year (its cumulative "
        "phasing). Gap = planned less evidenced: a positive gap is saving not yet evidenced.",
    )
    # A year evidenced beyond its plan does not make up for a year short of it.
    total_gap = sum((r.gap for r in rows if r.gap > 0), Decimal(0))
    tables = [table]
    reruns = list(item.reruns.order_by("year", "month"))
    if reruns:
        tables.append(_reruns_table(item, reruns))
    return {
        "evidence": item,
        "line": item.line,
        "parameters_json": json.dumps(item.parameters, indent=2, sort_keys=True, default=str),
        "total_gap": total_gap,
        "page_tables": tables,
        "can_rerun": "baseline_cost" in item.parameters,
        "meta": {
            "evidence_id": item.pk,
            "line": item.line.reference,
            "data_hash": item.data_hash,
            "parameters": item.parameters,
        },
    }


def _reruns_table(item: Evidence, reruns: list[Any]) -> Table:
    promised = item.savings_by_year()
    rows: list[tuple[Cell, ...]] = []
    for rerun in reruns:
        year = rerun.period.year
        implied = rerun.implied_by_year().get(year, Decimal(0))
        before = promised.get(year, Decimal(0))
        rows.append((str(rerun.period), _day(rerun.parameters.get("latest_date")), before,
                     implied, implied - before, rerun.data_hash[:12]))  # fmt: skip
    return _table(
        "reruns",
        "Monthly re-runs: the saving in the year that the latest data imply",
        [
            Column("Monitoring period"),
            Column("Data as at", ColumnKind.DATE),
            _thousands("Promised"),
            _thousands("Implied by the data"),
            _thousands("Difference"),
            Column("Data hash"),
        ],
        rows,
        note="Implied = the baseline cost as promised less the actual placements to the data's "
        "date and the scenario's forecast from it. A negative difference means the data now "
        "support less than the scenario promised.",
    )


class RerunForm(forms.Form):
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.order_by("-last_date", "-id"),
        empty_label=None,
        label="Returns to re-run on",
        error_messages={"required": "Choose the returns", "invalid_choice": "Choose the returns"},
    )
    as_at = forms.DateField(
        label="Data as at (a month end)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Leave empty for the last date of the returns, for example 30/09/2016",
        error_messages={"invalid": "Data as at: enter a date, for example 30/09/2016"},
    )
    year = forms.CharField(label="Monitoring year", help_text="For example 2016/17")
    month = forms.IntegerField(
        label="Month", min_value=1, max_value=12, help_text="1 (April) to 12 (March)",
        error_messages={"min_value": "Month: enter 1 to 12", "max_value": "Month: enter 1 to 12",
                        "invalid": "Month: enter 1 to 12", "required": "Enter the month"},
    )  # fmt: skip

    def clean_year(self) -> FinancialYear:
        try:
            return FinancialYear.parse(self.cleaned_data["year"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None

    def period(self) -> MonitoringPeriod:
        return MonitoringPeriod(self.cleaned_data["year"], self.cleaned_data["month"])

    def as_at_date(self) -> date:
        dataset = self.cleaned_data["dataset"]
        return self.cleaned_data["as_at"] or dataset.last_date


class AttachForm(forms.Form):
    scenario = forms.ModelChoiceField(
        queryset=Scenario.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose a scenario", "invalid_choice": "Choose a scenario"},
    )
    line = forms.ModelChoiceField(
        queryset=SavingsLine.objects.select_related("plan__council").order_by(
            "plan__council__name", "plan__name", "position"
        ),
        empty_label=None,
        error_messages={
            "required": "Choose a savings line",
            "invalid_choice": "Choose a savings line",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].label_from_instance = lambda line: (
            f"{line.plan.council} – {line.reference} {line.title}"
        )


def _optional_number(label: str, hint: str, low: str, high: str) -> forms.DecimalField:
    name = label.replace("%", "%%")  # Django formats these messages with %
    return forms.DecimalField(
        label=label, help_text=hint, required=False, min_value=Decimal(low),
        max_value=Decimal(high), max_digits=8, decimal_places=4,
        error_messages={
            "invalid": f"{name}: enter a number",
            "min_value": f"{name}: enter {low} or more",
            "max_value": f"{name}: enter {high} or less",
        },
    )  # fmt: skip


class ScenarioForm(forms.Form):
    """A scenario in the terms a finance officer uses: one start date and ramp, and any of the
    five adjustments; or, for analysts, the definition as JSON."""

    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name"})
    description = forms.CharField(required=False, widget=forms.Textarea)
    start = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="The first day the change takes effect, for example 01/04/2026",
        error_messages={"invalid": "From: enter a date, for example 01/04/2026"},
    )
    ramp_months = forms.IntegerField(
        label="Months to full effect", required=False, min_value=0, max_value=60, initial=12,
        help_text="0 for the full effect at once",
        error_messages={"invalid": "Months to full effect: enter a whole number",
                        "min_value": "Months to full effect: enter 0 or more",
                        "max_value": "Months to full effect: enter 60 or fewer"},
    )  # fmt: skip
    entry_multiply = _optional_number(
        "Children entering care: multiply by", "For example 0.9 for 10% fewer", "0", "5"
    )
    in_house_share = _optional_number(
        "New agency fostering placements made in-house instead (%)", "For example 20", "0", "100"
    )
    stay_multiply = _optional_number(
        "Length of stay in care: multiply by", "For example 0.95 for 5% shorter stays", "0.1", "5"
    )
    step_down = _optional_number(
        "Children in residential care stepping down to in-house fostering (% a year)",
        "For example 20", "0", "100",
    )  # fmt: skip
    unit_cost_multiply = _optional_number(
        "Weekly unit costs: multiply by", "For example 0.97 for 3% lower costs", "0", "5"
    )
    definition_json = forms.CharField(
        label="Or the scenario's definition as JSON",
        required=False,
        widget=forms.Textarea,
        help_text='For analysts: {"adjustments": [{"kind": "entry_rate", "multiply": 0.9, '
        '"start": "2026-04-01", "ramp_months": 6}]}',
    )

    ADJUSTMENT_FIELDS = ("entry_multiply", "in_house_share", "stay_multiply", "step_down",
                         "unit_cost_multiply")  # fmt: skip

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Scenario.objects.filter(name=name).exists():
            raise forms.ValidationError("A scenario with this name already exists")
        return name

    def clean_definition_json(self) -> dict | None:
        text = self.cleaned_data["definition_json"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The definition is not valid JSON (line {error.lineno}: {error.msg})"
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        given = [f for f in self.ADJUSTMENT_FIELDS if data.get(f) is not None]
        if given and data.get("definition_json") is not None:
            raise forms.ValidationError("Give the adjustments or the JSON definition, not both")
        if data.get("definition_json") is not None:
            definition = data["definition_json"]
        elif not given:
            self.add_error("entry_multiply", "Give at least one adjustment")
            return data
        elif data.get("start") is None:
            self.add_error("start", "From: enter the date the change starts")
            return data
        else:
            definition = {"adjustments": [self._adjustment(f, data) for f in given]}
        problem = services.check_definition(definition)
        if problem:
            field = "definition_json" if data.get("definition_json") is not None else None
            self.add_error(field, problem)
        data["definition"] = definition
        return data

    @staticmethod
    def _adjustment(field: str, data: dict[str, Any]) -> dict[str, Any]:
        value = float(data[field])
        common = {"start": data["start"].isoformat(), "ramp_months": data.get("ramp_months") or 0}
        return {
            "entry_multiply": {"kind": "entry_rate", "multiply": value},
            "in_house_share": {"kind": "in_house_share", "share": value / 100},
            "stay_multiply": {"kind": "length_of_stay", "multiply": value},
            "step_down": {"kind": "step_down", "add": value / 100},
            "unit_cost_multiply": {"kind": "unit_cost", "multiply": value},
        }[field] | common

    def definition(self) -> dict:
        return self.cleaned_data["definition"]


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
