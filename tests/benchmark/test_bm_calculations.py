"""Benchmark calculations against the published files (pure: no database)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from csplan.benchmark.calculations import (
    ENGLAND,
    BenchmarkError,
    Rank,
    area_rate,
    build_benchmark_data,
    check_population,
    check_published_rates,
    compare_measure,
    compare_spend,
    explain_rate_difference,
    load_code_changes,
    published_rounding,
    rank_of,
    rate_per_10k,
    resolve_la,
    trend,
)
from csplan.demand.annual.published import ClaRow

HERTS = "E10000015"
HERTS_NEIGHBOURS = [
    ("E06000036", "Bracknell Forest"),
    ("E10000025", "Oxfordshire"),
    ("E10000014", "Hampshire"),
    ("E08000009", "Trafford"),
    ("E06000056", "Central Bedfordshire"),
    ("E06000060", "Buckinghamshire"),
    ("E06000037", "West Berkshire"),
    ("E10000032", "West Sussex"),
    ("E10000003", "Cambridgeshire"),
    ("E06000040", "Windsor and Maidenhead"),
]


def r1(value: Decimal | None) -> Decimal:
    assert value is not None
    return value.quantize(Decimal("0.1"))


# --------------------------------------------------------------------------- pure rules


def test_rate_and_published_rounding():
    assert rate_per_10k(999, 277480) == Decimal("36.00259478160588150497333141")
    assert published_rounding(Decimal("29.5")) == 30  # half up
    assert published_rounding(Decimal("29.4999")) == 29
    with pytest.raises(BenchmarkError):
        rate_per_10k(1, 0)


def test_rank_is_competition_rank_with_one_the_lowest():
    values = {"a": Decimal(1), "b": Decimal(2), "c": Decimal(2), "d": Decimal(5)}
    assert rank_of(values, "a") == Rank(1, 4)
    assert rank_of(values, "c") == Rank(2, 4)
    assert rank_of(values, "d") == Rank(4, 4)
    assert rank_of(values, "zz") is None
    assert str(Rank(10, 151)) == "10 of 151 (1 = lowest)"


def test_region_difference_explained_by_rounded_counts():
    row = ClaRow(
        2024,
        "regional",
        "E12000005",
        "West Midlands",
        "",
        "E12000005",
        "West Midlands",
        "looked_after",
        1330520,
        11910,
        89,
    )
    [check] = check_published_rates(build_benchmark_data([row], code_changes=[]))
    assert not check.agrees and check.rounded == 90
    assert explain_rate_difference(check) == (
        "the published count 11,910 is rounded to the nearest 10 (DfE rounds national and "
        "regional counts); an unrounded count of 11,905–11,908 gives the published rate 89"
    )


def test_code_change_table_keys_on_the_new_code():
    changes = load_code_changes()
    by_new = {c.new_code: c for c in changes}
    assert by_new["E06000065"].old_code == "E10000023"  # North Yorkshire
    assert {c.new_name for c in changes if c.old_code == "E10000006"} == {
        "Cumberland",
        "Westmorland and Furness",
    }
    assert by_new["E06000061"].effective == "2021-04-01"


# --------------------------------------------------------------------------- real files


@pytest.mark.reference
def test_hertfordshire_2025(data):
    herts = area_rate(data, 2025, HERTS, "looked_after")
    assert (herts.count, herts.population, herts.published) == (999, 277480, 36)
    assert r1(herts.rate) == Decimal("36.0")


@pytest.mark.reference
def test_hertfordshire_neighbours_from_the_groupings_file(data):
    neighbours = data.neighbours[HERTS]
    assert [(n.code, n.name) for n in neighbours] == HERTS_NEIGHBOURS
    assert [n.number for n in neighbours] == [
        "867",
        "931",
        "850",
        "358",
        "823",
        "825",
        "869",
        "938",
        "873",
        "868",
    ]
    assert neighbours[0].closeness == "Extremely Close"


@pytest.mark.reference
def test_hertfordshire_comparison_2025(data):
    cla = compare_measure(data, HERTS, 2025, "looked_after")
    assert cla.neighbours.missing == ()
    assert len(cla.neighbours.used) == 10
    # pooled: 5,476 children over 1,049,344 aged 0-17 in the ten neighbours
    assert r1(cla.neighbours.weighted) == Decimal("52.2")
    assert r1(cla.neighbours.unweighted) == Decimal("50.0")
    assert (cla.region.name, cla.region.published) == ("East of England", 49)
    assert (cla.england.count, cla.england.published) == (81770, 67)
    assert cla.rank == Rank(10, 151)
    starts = compare_measure(data, HERTS, 2025, "starts")
    assert (starts.la.count, starts.la.published, starts.rank) == (424, 15, Rank(10, 152))
    assert r1(starts.neighbours.weighted) == Decimal("19.7")
    ceased = compare_measure(data, HERTS, 2025, "ceased")
    assert (ceased.la.count, ceased.la.published, ceased.rank) == (404, 15, Rank(8, 152))


@pytest.mark.reference
def test_england_rate(data):
    england = area_rate(data, 2025, ENGLAND, "looked_after")
    assert (england.count, england.population, england.published) == (81770, 12183016, 67)
    assert r1(england.rate) == Decimal("67.1")
    assert [area_rate(data, y, ENGLAND, "looked_after").published for y in data.years] == [
        69,
        70,
        70,
        69,
        67,
    ]


@pytest.mark.reference
def test_every_published_rate_agrees_under_the_published_rounding(data):
    checks = check_published_rates(data)
    assert len(checks) == 2447
    assert Counter(c.level for c in checks) == {"la": 2267, "regional": 165, "national": 15}
    # Every LA figure agrees with round-half-up(count x 10,000 / population) ...
    assert all(c.agrees for c in checks if c.level == "la")
    # ... and no figure sits exactly on a half, so half-up and half-even are indistinguishable.
    assert not any(c.recomputed % 1 == Decimal("0.5") for c in checks)
    # The four exceptions are regions whose published counts are rounded to the nearest 10.
    exceptions = sorted(
        (c.year, c.name, c.measure, c.count, c.published) for c in checks if not c.agrees
    )
    assert exceptions == [
        (2023, "Inner London", "looked_after", 4000, 61),
        (2023, "London", "ceased", 5230, 28),
        (2024, "Inner London", "ceased", 2030, 32),
        (2024, "West Midlands", "looked_after", 11910, 89),
    ]
    for check in (c for c in checks if not c.agrees):
        assert explain_rate_difference(check).startswith("the published count")


@pytest.mark.reference
def test_cla_populations_are_the_ons_mid_year_estimates_of_the_year_before(data):
    assert check_population(data) == []
    assert data.population[(2024, HERTS)] == 277480


@pytest.mark.reference
def test_hertfordshire_spend_per_child_2024_25(data):
    net = compare_spend(data, HERTS, 2025, "net")
    assert net.la_spend == Decimal("120818050.00")
    assert net.la_children == 999
    assert net.la_per_child.quantize(Decimal(1)) == Decimal("120939")
    assert net.neighbours.weighted.quantize(Decimal(1)) == Decimal("112463")
    assert net.neighbours.unweighted.quantize(Decimal(1)) == Decimal("107754")
    assert net.england.weighted.quantize(Decimal(1)) == Decimal("105199")
    assert len(net.england.used) == 148
    assert net.rank == Rank(110, 148)
    gross = compare_spend(data, HERTS, 2025, "gross")
    assert gross.la_per_child.quantize(Decimal(1)) == Decimal("134616")
    assert compare_spend(data, HERTS, 2024).la_per_child is None  # no 2023-24 RO3 imported


@pytest.mark.reference
def test_hertfordshire_trend(data):
    points = trend(data, HERTS)
    assert [p.year for p in points] == [2021, 2022, 2023, 2024, 2025]
    assert [p.la.count for p in points] == [991, 1022, 964, 971, 999]
    assert [p.la.published for p in points] == [37, 38, 36, 35, 36]
    assert [p.rank.position for p in points] == [10, 12, 6, 6, 10]
    assert [r1(p.neighbours.weighted) for p in points] == [
        Decimal(v) for v in ("52.6", "52.6", "54.8", "53.3", "52.2")
    ]


@pytest.mark.reference
def test_la_codes_old_numbers_and_code_changes(data):
    assert resolve_la(data, "919") == HERTS
    assert resolve_la(data, "e10000015") == HERTS
    assert resolve_la(data, "E10000023") == "E06000065"  # North Yorkshire's old county code
    assert resolve_la(data, "815") == "E06000065"
    assert resolve_la(data, "909") == "E10000006"  # Cumbria: figures to 2023
    assert resolve_la(data, "E07000242") == HERTS  # East Hertfordshire district -> county
    assert resolve_la(data, "E06000001") == "E06000001"  # a unitary is its own upper tier
    with pytest.raises(BenchmarkError, match="not an LA code"):
        resolve_la(data, "Herts")
    with pytest.raises(BenchmarkError, match="no published figures for LA E10000099"):
        resolve_la(data, "E10000099")


@pytest.mark.reference
def test_split_council_neighbour_is_reported_missing_with_the_reason(data):
    # Herefordshire's 10th neighbour is Cumbria (909), split in 2023: no 2025 figures.
    hereford = resolve_la(data, "884")
    cla = compare_measure(data, hereford, 2025, "looked_after")
    assert len(cla.neighbours.used) == 9
    [(name, reason)] = cla.neighbours.missing
    assert name == "Cumbria"
    assert "not available" in reason


@pytest.mark.reference
def test_report_notes_a_region_whose_published_rate_rests_on_a_rounded_count(data):
    from csplan.benchmark.report import benchmark_report

    report = benchmark_report(data, "E08000025", 2024)  # Birmingham, West Midlands
    looked_after = report.table("comparison").rows[0]
    assert looked_after.cells[6] == 89  # the region's published rate
    assert looked_after.note(6) == (
        "recomputed 89.51 rounds to 90, not the published 89 (published counts may be rounded)"
    )
    assert looked_after.note(2) == ""
