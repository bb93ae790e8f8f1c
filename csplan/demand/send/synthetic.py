"""Synthetic EHC plan files in DfE's layout, for demos and tests (no published figures).

``synthetic_files`` writes ``caseload.csv`` and ``newplans.csv`` for a fictional LA (by
default the benchmark demo's "Demoshire", E10009999) over the Januaries asked for: a
stock-and-flow simulation with a fixed seed, so the same call gives the same bytes. The
latest January also has rows by age. Only the columns csplan reads are written.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from csplan.demand.send import settings as st
from csplan.demand.send.readers import SETTING_TOTALS

AREA = ("E10009999", "999", "Demoshire", "E12009999", "Demo Region")
# Plans in the first January, new plans in its calendar year, their mix, rates of leaving.
START = {
    "mainstream": 1700,
    "resourced": 350,
    "special_maintained": 2300,
    "special_independent": 250,
    "further_education": 1000,
    "other": 200,
}
MIX = {
    "mainstream": 0.62,
    "resourced": 0.05,
    "special_maintained": 0.18,
    "special_independent": 0.03,
    "further_education": 0.04,
    "other": 0.08,
}
LEAVING = {
    "mainstream": 0.12,
    "resourced": 0.05,
    "special_maintained": 0.02,
    "special_independent": -0.12,
    "further_education": 0.25,
    "other": 0.20,
}
AGES = {"0-4": 0.04, "5-10": 0.33, "11-15": 0.35, "16-19": 0.22, "20-25": 0.06}
FIRST_NEW = 700
NEW_GROWTH = 0.08

# One DfE column stands for each group (the others are written as 0).
_COLUMN = {
    "mainstream": "mainstream_la_maintained",
    "resourced": "mainstream_la_maintained_resourced_provision",
    "special_maintained": "special_la_maintained",
    "special_independent": "special_independent",
    "further_education": "general_fe_tertiary_colleges",
}
_HEAD = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
]
_COUNTS = [c for g in st.GROUPS for c in g.columns] + list(SETTING_TOTALS)


def simulate(januaries: list[int], seed: int = 15) -> tuple[dict, dict]:
    """(plans[january][group], new_plans[calendar year][group]) for consecutive Januaries."""
    rng = np.random.default_rng(seed)
    groups = st.GROUP_KEYS
    stock = np.array([START[g] for g in groups], dtype=float)
    plans, new = {januaries[0]: stock.round()}, {}
    for index, january in enumerate(januaries[1:]):
        year = january - 1
        total = FIRST_NEW * (1 + NEW_GROWTH) ** index * rng.lognormal(0, 0.03)
        arrivals = rng.poisson(total * np.array([MIX[g] for g in groups])).astype(float)
        leaving = np.array([LEAVING[g] for g in groups]) + rng.normal(0, 0.01, len(groups))
        stock = np.maximum(stock * (1 - leaving) + arrivals, 0).round()
        plans[january], new[year] = stock, arrivals
    return (
        {y: dict(zip(groups, map(int, v), strict=True)) for y, v in plans.items()},
        {y: dict(zip(groups, map(int, v), strict=True)) for y, v in new.items()},
    )


def _counts(by_group: dict[str, int], total_name: str) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(_COUNTS, 0)
    for group, column in _COLUMN.items():
        row[column] = by_group[group]
    row.update(
        {
            "mainstream_total": by_group["mainstream"] + by_group["resourced"],
            "special_total": by_group["special_maintained"] + by_group["special_independent"],
            "fe_total": by_group["further_education"],
            "ap_pru_total": by_group["other"],
            "placement_unknown": "x",
            "await_prov_2022": "x",
            "perm_ex_2022": "x",
        }
    )
    row[total_name] = sum(by_group.values())
    return row


def _area(time_period: str, identifier: str, topic: str, breakdown: str) -> dict[str, object]:
    code, number, name, region, region_name = AREA
    return dict(
        zip(
            _HEAD,
            [
                time_period,
                identifier,
                "Local authority",
                "E92000001",
                "England",
                region,
                region_name,
                code,
                number,
                name,
                topic,
                breakdown,
            ],
            strict=True,
        )
    )


def _csv(rows: list[dict[str, object]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def synthetic_files(first: int = 2012, last: int = 2016, seed: int = 15) -> dict[str, bytes]:
    """``caseload.csv`` (Januaries ``first``..``last``) and ``newplans.csv`` (the calendar
    years between), in DfE's layout."""
    januaries = list(range(first, last + 1))
    plans, new = simulate(januaries, seed)
    caseload, newplans = [], []
    for january, by_group in plans.items():
        period = f"{january - 1}{january % 100:02d}"
        caseload.append(
            {
                **_area(period, "Academic year", "All EHC plans", "All EHC plans"),
                **_counts(by_group, "ehcplans"),
            }
        )
        if january == last:
            for band in st.AGE_BANDS:
                share = AGES[band.key]
                aged = {g: round(v * share) for g, v in by_group.items()}
                label = band.ages[-1]
                caseload.append(
                    {
                        **_area(period, "Academic year", "Child or young persons age", label),
                        **_counts(aged, "ehcplans"),
                    }
                )
    for year, by_group in new.items():
        newplans.append(
            {
                **_area(str(year), "Calendar year", "New EHC plans", "New EHC plans"),
                **_counts(by_group, "new_ehc_plans"),
            }
        )
    return {
        "caseload.csv": _csv(caseload, [*_HEAD, "ehcplans", *_COUNTS]),
        "newplans.csv": _csv(newplans, [*_HEAD, "new_ehc_plans", *_COUNTS]),
    }
