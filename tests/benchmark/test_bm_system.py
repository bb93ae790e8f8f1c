"""DfE's 2025 statistical-neighbour model beside the 2021 groupings, and the whole-system
benchmarks (EHC plans, levels of need, new placements) on the published files."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from csplan.benchmark import importers as imp
from csplan.benchmark.store import import_parsed, load_benchmark_data, load_series
from csplan.benchmark.system import comparison_table, needs_comparisons, send_comparisons
from csplan.cli import cli
from csplan.demand.send import settings as st

SERIES = ("ehcp_2025/caseload.csv", "ehcp_2025/newplans.csv", "ehcp_2025/requests.csv",
          "b1_children_in_need_2013_to_2025.csv",
          "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
          "d5_cpps_at31march_by_duration_2013_to_2025.csv",
          "d3_cpps_subsequent_plan_2013_to_2025.csv", "la_cla_during_year_new_placements.csv",
          "sn_model_2025_wide.csv")  # fmt: skip


@pytest.fixture(scope="session")
def series_files(reference_dir):
    return [imp.parse_path(reference_dir / name) for name in SERIES]


@pytest.mark.reference
def test_the_2025_model_is_recognised_and_its_closeness_trimmed(series_files):
    model = series_files[-1]
    assert (model.kind, model.slot, len(model.rows)) == ("neighbours_2025", "neighbours_2025", 153)
    first = model.rows[0]
    assert (first.old_la_code, first.la_name) == ("301", "Barking and Dagenham")
    assert first.neighbours[0] == ("308", "Close")  # "Close " in the file
    assert len(first.neighbours) == 10


@pytest.mark.reference
@pytest.mark.django_db
def test_the_user_chooses_the_neighbours_and_the_series_are_stored(reference_files,
                                                                   series_files):  # fmt: skip
    import_parsed([*reference_files.values(), *series_files])
    old, new = load_benchmark_data("2021"), load_benchmark_data("2025")
    herts_2021 = [n.name for n in old.neighbours["E10000015"]]
    herts_2025 = [n.name for n in new.neighbours["E10000015"]]
    assert herts_2021[:2] == ["Bracknell Forest", "Oxfordshire"]
    assert herts_2025 != herts_2021 and len(herts_2025) == 10
    assert (old.neighbour_model, new.neighbour_model) == ("2021", "2025")

    series = load_series()
    hampshire = series.area("E10000014")
    assert hampshire.get("plans", 2025) == 17784  # caseload.csv
    assert hampshire.get("referrals", 2025) == 41142  # c1
    assert hampshire.get("new_placements:total", 2025) is not None
    rows = send_comparisons(new, series, "E10000014", 2025)
    first = rows[0]
    population = Decimal(new.population[(2024, "E10000014")])
    assert first.la == Decimal(17784) * 10000 / population
    shares = [r for r in rows if r.label.startswith("Share in")]
    assert sum(r.la for r in shares) == pytest.approx(Decimal(100))
    assert first.used == 10 and first.rank.endswith("of 153")

    needs = needs_comparisons(old, series, "E10000015", 2025)
    looked_after = next(r for r in needs if r.label == "Children looked after on 31 March")
    assert round(looked_after.la) == 36  # Hertfordshire: 999, 36 per 10,000
    table = comparison_table(old, "E10000015", 2025, needs, "needs", "Levels of need")
    assert "April 2021" in table.notes[0]
    assert table.meta["neighbours"] == "2021"

    runner = CliRunner()
    result = runner.invoke(cli, ["benchmark", "send", "E10000014", "--neighbours", "2025",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)[0]
    assert data["meta"] == {"la": "E10000014", "year": "2025", "neighbours": "2025"}
    assert data["rows"][0]["cells"][2] == str(round(first.la, 1))
    shown = runner.invoke(cli, ["benchmark", "E10000015", "--neighbours", "2025"])
    assert shown.exit_code == 0 and herts_2025[0] in shown.output


@pytest.mark.django_db
def test_asking_for_a_model_not_imported_says_so(tmp_path):
    from csplan.benchmark.demo import load_demo_benchmark

    load_demo_benchmark()
    result = CliRunner().invoke(cli, ["benchmark", "E10009999", "--neighbours", "2025"])
    assert result.exit_code != 0
    assert "the 2025 statistical-neighbour model is not imported" in result.output


def test_a_setting_groups_label_reads_as_a_share():
    assert st.LABELS["special_independent"].startswith("Special schools")
