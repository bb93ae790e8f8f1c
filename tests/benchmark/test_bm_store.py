"""Storing: transactional, replace-not-duplicate, provenance recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csplan.benchmark import importers as imp
from csplan.benchmark import store
from csplan.benchmark.demo import DEMO_LA, demo_files, load_demo_benchmark
from csplan.benchmark.models import ClaFigure, Dataset, NeighbourLink, Ro3Spend
from csplan.benchmark.store import import_parsed, import_paths, load_benchmark_data
from csplan.demand.annual import published as pub

pytestmark = pytest.mark.django_db

GOOD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,919,"
    "Hertfordshire,E10000015,Children looked after on 31 March each year,277480,{},36\n"
)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> tuple:
    return (
        list(Dataset.objects.values_list("slot", "sha256", "row_count")),
        ClaFigure.objects.count(),
        list(ClaFigure.objects.values_list("count", flat=True)),
    )


def test_import_records_source_sha256_and_time(tmp_path):
    path = write(tmp_path, "cla.csv", GOOD.format(999))
    [summary] = import_paths([path])
    dataset = Dataset.objects.get()
    assert (dataset.slot, dataset.kind, dataset.schema) == ("cla", "cla", "2025")
    assert dataset.source_name == "cla.csv"
    assert dataset.sha256 == pub.file_sha256(path.read_bytes())
    assert dataset.imported_at is not None and dataset.row_count == 1
    assert summary.rows == 1 and not summary.replaced
    assert "imported 1 rows" in summary.describe()


def test_reimport_replaces_not_duplicates(tmp_path):
    path = write(tmp_path, "cla.csv", GOOD.format(999))
    import_paths([path])
    [again] = import_paths([path])
    assert again.replaced
    assert Dataset.objects.count() == 1 and ClaFigure.objects.count() == 1
    import_paths([write(tmp_path, "cla-revised.csv", GOOD.format(1000))])
    assert list(ClaFigure.objects.values_list("count", flat=True)) == [1000]
    assert Dataset.objects.get().source_name == "cla-revised.csv"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("wrong.csv", "a,b\n1,2\n", "file wrong.csv, row 1: not a recognised benchmark file"),
        (
            "bad.csv",
            GOOD.format("lots"),
            "file bad.csv, row 2, column 'children_count': 'lots' is not a whole number",
        ),
        ("empty.csv", "", "file empty.csv: the file is empty"),
    ],
)
def test_bad_files_change_nothing(tmp_path, name, text, message):
    import_paths([write(tmp_path, "cla.csv", GOOD.format(999))])
    before = snapshot()
    good_again = write(tmp_path, "cla-new.csv", GOOD.format(1234))
    with pytest.raises(pub.PublishedFileError) as error:
        import_paths([good_again, write(tmp_path, name, text)])
    assert str(error.value).startswith(message)
    assert snapshot() == before  # the good file in the same import was not stored either


def test_a_failure_while_writing_rolls_back(tmp_path, monkeypatch):
    import_paths([write(tmp_path, "cla.csv", GOOD.format(999))])
    before = snapshot()
    parsed = imp.parse_path(write(tmp_path, "cla2.csv", GOOD.format(5)))
    neighbours = imp.ParsedFile(
        imp.NEIGHBOURS,
        "sn.csv",
        "0" * 64,
        [imp.NeighbourRow("919", "Herts", "", (("873", "Close"),))],
        slot=imp.NEIGHBOURS,
    )

    def broken(dataset, rows):
        raise RuntimeError("disk full")

    monkeypatch.setitem(store._WRITERS, imp.NEIGHBOURS, broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_parsed([parsed, neighbours])
    assert snapshot() == before  # the CLA file written first was rolled back


def test_two_files_for_the_same_dataset_are_refused(tmp_path):
    a = write(tmp_path, "a.csv", GOOD.format(1))
    b = write(tmp_path, "b.csv", GOOD.format(2))
    with pytest.raises(pub.PublishedFileError, match="two files fill the same dataset"):
        import_paths([a, b])
    assert Dataset.objects.count() == 0


def test_demo_dataset_round_trips_through_the_store():
    summaries = load_demo_benchmark()
    assert [s.slot for s in summaries] == ["cla", "population", "neighbours", "ro3:2024"]
    data = load_benchmark_data()
    assert DEMO_LA in data.neighbours and len(data.neighbours[DEMO_LA]) == 10
    files = demo_files()
    assert ClaFigure.objects.count() == len(files[0].rows)
    assert NeighbourLink.objects.filter(la_number="999").count() == 10
    spend = Ro3Spend.objects.get(ons_code=DEMO_LA)
    assert spend.net_current_expenditure == files[3].rows[0].net_current_expenditure
    assert isinstance(spend.net_current_expenditure, Decimal)


@pytest.mark.reference
def test_reference_files_round_trip(reference_files):
    import_parsed(reference_files.values())
    assert Dataset.objects.count() == 5
    data = load_benchmark_data()
    assert data.figure(2025, "E10000015", "looked_after").count == 999
    assert data.spend[(2025, "E10000015")].net_current_expenditure == Decimal("120818050.00")
    assert [n.name for n in data.neighbours["E10000015"]][:2] == ["Bracknell Forest", "Oxfordshire"]
    assert "cla" in data.sources and "sha256" in data.sources["cla"]
