"""Synthetic children-in-need, child protection and children looked after files in DfE's
layout, for demos and tests (no published figures).

``synthetic_files`` writes the four children-in-need files (b1, c1, d5, d3), the children
looked after numbers and the ONS population for a fictional LA (the benchmark demo's
"Demoshire") over the years ending 31 March asked for: a flow simulation with a fixed seed,
sized like a large county (about 1,400 children looked after, as the demo's SSDA903 returns).
"""

from __future__ import annotations

import csv
import io

import numpy as np

from csplan.demand.send.synthetic import AREA

POPULATION = 280_000
REFERRALS = 16_000
RATES = {
    "assessed": 0.55,
    "closed": 0.52,
    "protected": 0.09,
    "cpp_ended": 0.535,
    "entering_care": 0.031,
    "leaving_care": 0.27,
}
START = {"cin_at31": 8000, "cpp_at31": 1300, "cla_at31": 1400}
_AREA_HEAD = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]


def simulate(first: int, last: int, seed: int = 16) -> dict[int, dict[str, int]]:
    """Figures by year ending 31 March, ``first``..``last`` (stocks of ``first`` as START)."""
    rng = np.random.default_rng(seed)
    cin, cpp, care = (float(START[k]) for k in ("cin_at31", "cpp_at31", "cla_at31"))
    result = {}
    for index, year in enumerate(range(first, last + 1)):
        rate = {k: v * rng.lognormal(0, 0.02) for k, v in RATES.items()}
        referrals = REFERRALS * 1.03**index * rng.lognormal(0, 0.03)
        started = referrals * rate["assessed"]
        open_ = cin + started
        ended = open_ * rate["closed"]
        cpp_started = open_ * rate["protected"]
        entering = open_ * rate["entering_care"]
        if index:
            cin = open_ - ended
            cpp = (cpp + cpp_started) * (1 - rate["cpp_ended"])
            ceased = (care + entering) * rate["leaving_care"]
            care = care + entering - ceased
        else:
            ceased = entering
        result[year] = {
            k: int(round(v))
            for k, v in {
                "referrals": referrals,
                "cin_started": started,
                "cin_ended": ended,
                "cin_anypoint": open_,
                "cin_at31": cin,
                "cpp_started": cpp_started,
                "cpp_at31": cpp,
                "cla_started": entering,
                "cla_ceased": ceased,
                "cla_at31": care,
                "population": POPULATION * (1 + 0.002 * index),
            }.items()
        }
    return result


def _area(year: int) -> list[object]:
    code, number, name, region, region_name = AREA
    return [
        year,
        "Reporting year",
        "Local authority",
        "E92000001",
        "England",
        region,
        region_name,
        number,
        code,
        name,
    ]


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def synthetic_files(first: int = 2011, last: int = 2016, seed: int = 16) -> dict[str, bytes]:
    figures = simulate(first, last, seed)
    years = sorted(figures)
    b1 = [
        [
            *_area(y),
            "Children in Need",
            f["cin_anypoint"],
            f["cin_anypoint"],
            f["cin_started"],
            f["cin_started"],
            f["cin_ended"],
            f["cin_ended"],
            f["cin_at31"],
        ]
        for y, f in figures.items()
    ]
    c1 = [
        [*_area(y), "Referrals and Re-referrals", f["referrals"], round(f["referrals"] * 0.22)]
        for y, f in figures.items()
    ]
    d5 = [
        [*_area(y), "Child Protection Plans by length of time", f["cpp_at31"]]
        for y, f in figures.items()
    ]
    subsequent = "Child Protection Plans which are a second or subsequent plan"
    d3 = [
        [*_area(y), subsequent, f["cpp_started"], round(f["cpp_started"] * 0.2)]
        for y, f in figures.items()
    ]
    code, number, name, region, region_name = AREA
    cla_head = [
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "old_la_code",
        "la_name",
        "new_la_code",
        "population_type",
        "population_estimate",
        "children_count",
        "rate_per_10000",
    ]
    cla = []
    for y, f in figures.items():
        for label, key in (
            ("Children looked after on 31 March each year", "cla_at31"),
            ("Children starting to be looked after each year", "cla_started"),
            ("Children ceasing to be looked after each year", "cla_ceased"),
        ):
            people = figures[y]["population"]
            cla.append(
                [
                    y,
                    "Reporting year",
                    "Local authority",
                    "E92000001",
                    "England",
                    region,
                    region_name,
                    number,
                    name,
                    code,
                    label,
                    people,
                    f[key],
                    round(f[key] * 10000 / people),
                ]
            )
    population = [
        [
            y - 1,
            "Reporting year",
            "Local authority",
            "E92000001",
            "England",
            region,
            region_name,
            number,
            code,
            name,
            "Children aged 0 to 17 years",
            figures[y]["population"],
        ]
        for y in years
    ]
    return {
        "b1_children_in_need.csv": _csv(
            [
                *_AREA_HEAD,
                "category",
                "Anypoint_episodes",
                "Anypoint_child",
                "Started_episodes",
                "Started_child",
                "Ended_episodes",
                "Ended_child",
                "At31_episodes",
            ],
            b1,
        ),
        "c1_children_in_need_referrals.csv": _csv(
            [*_AREA_HEAD, "category", "referral_count", "rereferral_count"], c1
        ),
        "d5_cpps_at31march.csv": _csv([*_AREA_HEAD, "category", "CPP_At31"], d5),
        "d3_cpps_subsequent_plan.csv": _csv(
            [*_AREA_HEAD, "category", "CPP_start", "CPP_subsequent"], d3
        ),
        "cla_number_and_rate_per_10k_children.csv": _csv(cla_head, cla),
        "ons_population_0_to_17.csv": _csv(
            [*_AREA_HEAD, "age_group", "population_estimate"], population
        ),
    }
