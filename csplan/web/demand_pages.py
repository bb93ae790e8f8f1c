"""What each demand page shows, as tables and plain values (the views only render them)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from csplan.core.charts.fan import fan_chart_svg, legend_svg
from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError
from csplan.evidence.models import Evidence
from csplan.evidence.records import compare_with_line
from csplan.forecasts import services
from csplan.forecasts.models import Dataset, Scenario
from csplan.forecasts.uploads import describe_size
from csplan.programme.models import SavingsLine
from csplan.web.demand_tables import DATE, INT, MONEY, NUMBER, TEXT, Column, Table


def index_page() -> dict[str, Any]:
    datasets = list(Dataset.objects.select_related("uploaded_by"))
    table = Table(
        "datasets",
        "Uploaded data sets",
        [
            Column("id", "Number", INT),
            Column("name", "Name"),
            Column("uploaded", "Uploaded", DATE),
            Column("children", "Children", INT),
            Column("episodes", "Episodes", INT),
            Column("last_date", "Data to", DATE),
            Column("data_hash", "Data hash"),
        ],
        [
            {
                "id": d.pk,
                "name": d.name,
                "uploaded": d.uploaded_at.date(),
                "children": d.child_count,
                "episodes": d.episode_count,
                "last_date": d.last_date,
                "data_hash": d.data_hash[:12],
            }
            for d in datasets
        ],
    )
    return {
        "datasets": datasets,
        "scenarios": list(Scenario.objects.all()),
        "page_tables": [table],
    }


def dataset_page(dataset: Dataset) -> dict[str, Any]:
    files = Table(
        "files",
        "Files",
        [
            Column("name", "File"),
            Column("size", "Size"),
            Column("bytes", "Bytes", INT),
            Column("sha256", "SHA-256"),
        ],
        [
            {"name": f.name, "size": describe_size(f.size), "bytes": f.size, "sha256": f.sha256}
            for f in dataset.files.defer("content")
        ],
    )
    return {
        "dataset": dataset,
        "report": getattr(dataset, "report", None),
        "scenarios": list(Scenario.objects.all()),
        "page_tables": [files],
    }


ISSUE_COLUMNS = [
    Column("file", "File"),
    Column("row", "Row", INT),
    Column("column", "Column"),
    Column("child", "Child"),
    Column("rule", "Rule"),
    Column("message", "Problem"),
    Column("action", "What csplan did"),
]
FINDING_COLUMNS = [
    Column("rule", "Rule"),
    Column("file", "File"),
    Column("row", "Row", INT),
    Column("child", "Child"),
    Column("message", "Finding"),
    Column("status", "Status"),
]


def validation_page(dataset: Dataset) -> dict[str, Any]:
    report = dataset.report
    issues = Table(
        "input_issues",
        "Problems found reading the files",
        ISSUE_COLUMNS,
        [{c.key: issue.get(c.key) for c in ISSUE_COLUMNS} for issue in report.input_issues],
    )
    findings = [dict(f) for f in report.dfe_findings]
    for finding in findings:
        finding["status"] = "Known false positive" if finding.get("false_positive") else "To check"
    dfe = Table(
        "dfe_findings",
        "DfE validator findings",
        FINDING_COLUMNS,
        [{c.key: f.get(c.key) for c in FINDING_COLUMNS} for f in findings],
        caption="Known false positives are defects of the DfE validator (version "
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
    }


def _run_meta(run: Any) -> dict[str, Any]:
    return {
        "data_hash": run.data_hash,
        "parameters": run.parameters,
        "scenario": run.scenario.name if run.scenario else None,
    }


def forecast_page(dataset: Dataset, scenario: Scenario | None, user: Any) -> dict[str, Any]:
    run = services.forecast_run(dataset, scenario, user=user)
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
        rows: list[dict[str, Any]] = [
            {"month": m, "kind": "Actual", "p10": None, "p50": v, "p90": None}
            for m, v in fan.actuals[-12:]
        ]
        rows += [
            {"month": p.month, "kind": "Forecast", "p10": p.p10, "p50": p.p50, "p90": p.p90}
            for p in fan.forecast
        ]
        table = Table(
            f"forecast_{fan.group}",
            f"{fan.label}: children looked after at the end of each month",
            [
                Column("month", "Month end", DATE),
                Column("kind", "Actual or forecast"),
                Column("p10", "10th percentile", NUMBER),
                Column("p50", "Median (actual)", NUMBER),
                Column("p90", "90th percentile", NUMBER),
            ],
            rows,
            caption="The last 12 months of actual numbers, then the forecast.",
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


def costs_page(dataset: Dataset, scenario: Scenario | None, user: Any) -> dict[str, Any]:
    run = services.forecast_run(dataset, scenario, user=user)
    by_year = services.cost_table(run)
    groups = by_year.groups
    table = Table(
        "costs",
        "Forecast cost of placements by financial year (£)",
        [Column("year", "Financial year")]
        + [Column(g, by_year.labels[g], MONEY) for g in groups]
        + [Column("total", "Total", MONEY)],
        [{"year": str(year), **dict(amounts.items())} for year, amounts in by_year.rows.items()],
        caption="Exact amounts in pounds and pence: the model's figures are rounded to the "
        "penny once, when they become money. Uses the expected (mean) forecast.",
    )
    return {
        "dataset": dataset,
        "scenario": scenario,
        "scenarios": list(Scenario.objects.all()),
        "run": run,
        "costs": table,
        "page_tables": [table],
        "meta": _run_meta(run),
        "run_parameters": json.dumps(run.parameters, indent=2, sort_keys=True),
    }


def compare_page(
    dataset: Dataset, scenario_ids: list[str], dates: list[str], user: Any
) -> dict[str, Any]:
    chosen = services.chosen_scenarios(scenario_ids)
    comparison = services.compare(dataset, chosen, dates, user=user)
    names = ["Baseline", *[s.name for s in chosen]]
    keys = ["baseline", *[f"s{s.pk}" for s in chosen]]
    children = Table(
        "children",
        "Children looked after (median forecast)",
        [Column("date", "Date", DATE), Column("group", "Placement group")]
        + [Column(k, n, NUMBER) for k, n in zip(keys, names, strict=True)],
        [
            {"date": row.day, "group": row.label, **dict(zip(keys, row.values, strict=True))}
            for row in comparison.children
        ],
    )
    cost = Table(
        "cost",
        "Cost by financial year (£)",
        [Column("year", "Financial year")]
        + [Column(k, n, MONEY) for k, n in zip(keys, names, strict=True)],
        [
            {"year": str(year), **dict(zip(keys, values, strict=True))}
            for year, values in comparison.costs.items()
        ],
    )
    saving = Table(
        "saving",
        "Saving against the baseline by financial year (£)",
        [Column("year", "Financial year")]
        + [Column(k, n, MONEY) for k, n in zip(keys[1:], names[1:], strict=True)],
        [
            {"year": str(year), **dict(zip(keys[1:], values, strict=True))}
            for year, values in comparison.savings.items()
        ],
        caption="Saving = baseline cost less scenario cost, in each financial year (the in-year "
        "effect). A negative figure is a cost.",
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
    table = Table(
        "scenarios",
        "Saved scenarios",
        [
            Column("id", "Number", INT),
            Column("name", "Name"),
            Column("description", "Description"),
            Column("author", "Author"),
            Column("updated", "Last changed", DATE),
        ],
        [
            {
                "id": s.pk,
                "name": s.name,
                "description": s.description,
                "author": s.author.get_username() if s.author else "",
                "updated": s.updated_at.date(),
            }
            for s in scenarios
        ],
    )
    return {"scenarios": scenarios, "page_tables": [table]}


def scenario_page(scenario: Scenario) -> dict[str, Any]:
    rows = services.describe_scenario(scenario)
    table = Table(
        "adjustments",
        "Adjustments",
        [Column("what", "Adjustment"), Column("detail", "Detail", TEXT)],
        rows,
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
    }


def evidence_page(item: Evidence) -> dict[str, Any]:
    rows = compare_with_line(item.line, item)
    table = Table(
        "comparison",
        f"{item.line.reference} {item.line.title}: planned and evidenced saving (£)",
        [
            Column("year", "Financial year"),
            Column("planned", "Planned (in year)", MONEY),
            Column("evidenced", "Evidenced", MONEY),
            Column("gap", "Gap", MONEY),
        ],
        [
            {"year": str(r.year), "planned": r.planned, "evidenced": r.evidenced, "gap": r.gap}
            for r in rows
        ],
        caption="Planned is the saving the line has in place in each year (its cumulative "
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
    rows = []
    for rerun in reruns:
        year = rerun.period.year
        implied = rerun.implied_by_year().get(year, Decimal(0))
        rows.append({
            "period": str(rerun.period), "as_at": rerun.parameters.get("latest_date", ""),
            "promised": promised.get(year, Decimal(0)), "implied": implied,
            "difference": implied - promised.get(year, Decimal(0)),
            "hash": rerun.data_hash[:12],
        })  # fmt: skip
    return Table(
        "reruns",
        "Monthly re-runs: the saving in the year that the latest data imply (£)",
        [
            Column("period", "Monitoring period"),
            Column("as_at", "Data as at", DATE),
            Column("promised", "Promised", MONEY),
            Column("implied", "Implied by the data", MONEY),
            Column("difference", "Difference", MONEY),
            Column("hash", "Data hash"),
        ],
        rows,
        caption="Implied = the baseline cost as promised less the actual placements to the data's "
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
