"""Store parsed benchmark files in the database, and read them back as plain rows.

Writes are transactional: all the files of one import are parsed first, then written in one
transaction, so a bad file leaves the database as it was. A file fills a slot (one per kind;
one per financial year for RO3); importing into a filled slot replaces its figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from csplan.benchmark import importers as imp
from csplan.benchmark.calculations import BenchmarkData, build_benchmark_data
from csplan.benchmark.gap import GapPlan, gap_evidence, scenario_spec
from csplan.benchmark.models import (
    ClaFigure,
    Dataset,
    LaLookupEntry,
    NeighbourLink,
    PopulationEstimate,
    Ro3Spend,
    SeriesArea,
)
from csplan.core.money import round_half_up
from csplan.demand.annual import published as pub
from csplan.evidence.models import Evidence
from csplan.evidence.records import attach_evidence
from csplan.programme.models import SavingsLine


@dataclass(frozen=True)
class ImportSummary:
    """What one file added to the store."""

    slot: str
    kind: str
    label: str
    source_name: str
    sha256: str
    rows: int
    replaced: bool
    schema: str = ""

    def describe(self) -> str:
        schema = f" ({self.schema} columns)" if self.schema else ""
        action = "replaced" if self.replaced else "imported"
        return (
            f"{self.source_name}: {self.label}{schema} - {action} {self.rows:,} rows "
            f"[{self.slot}, sha256 {self.sha256[:12]}]"
        )


def import_paths(paths: Sequence[str | Path]) -> list[ImportSummary]:
    """Parse every file, then store them all in one transaction."""
    parsed = [imp.parse_path(path) for path in paths]
    return import_parsed(parsed)


def import_parsed(files: Iterable[imp.ParsedFile]) -> list[ImportSummary]:
    files = list(files)
    slots = [f.slot for f in files]
    duplicates = sorted({s for s in slots if slots.count(s) > 1})
    if duplicates:
        names = [f.source_name for f in files if f.slot in duplicates]
        raise pub.PublishedFileError(
            names[-1],
            f"two files fill the same dataset ({', '.join(duplicates)}): "
            f"{', '.join(names)}; import one of them",
        )
    with transaction.atomic():
        return [_store(parsed) for parsed in files]


def _store(parsed: imp.ParsedFile) -> ImportSummary:
    deleted, _ = Dataset.objects.filter(slot=parsed.slot).delete()
    dataset = Dataset.objects.create(
        slot=parsed.slot,
        kind=parsed.kind,
        schema=parsed.schema,
        source_name=parsed.source_name,
        sha256=parsed.sha256,
        imported_at=timezone.now(),
        row_count=len(parsed.rows),
    )
    _WRITERS.get(parsed.kind, _write_series)(dataset, parsed.rows)
    return ImportSummary(
        slot=parsed.slot,
        kind=parsed.kind,
        label=parsed.label,
        source_name=parsed.source_name,
        sha256=parsed.sha256,
        rows=len(parsed.rows),
        replaced=bool(deleted),
        schema=parsed.schema,
    )


def _write_cla(dataset: Dataset, rows: list[pub.ClaRow]) -> None:
    ClaFigure.objects.bulk_create(
        [
            ClaFigure(
                dataset=dataset,
                year=r.year,
                level=r.level,
                area_code=r.area_code,
                area_name=r.area_name,
                old_la_code=r.old_la_code,
                region_code=r.region_code,
                region_name=r.region_name,
                measure=r.measure,
                population=r.population,
                count=r.count,
                published_rate=r.published_rate,
                note=r.note[:255],
            )
            for r in rows
        ],
        batch_size=500,
    )


def _write_population(dataset: Dataset, rows: list[pub.PopulationRow]) -> None:
    PopulationEstimate.objects.bulk_create(
        [
            PopulationEstimate(
                dataset=dataset,
                year=r.year,
                level=r.level,
                area_code=r.area_code,
                area_name=r.area_name,
                old_la_code=r.old_la_code,
                region_code=r.region_code,
                population=r.population,
            )
            for r in rows
        ],
        batch_size=500,
    )


def _write_neighbours(dataset: Dataset, rows: list[imp.NeighbourRow]) -> None:
    NeighbourLink.objects.bulk_create(
        [
            NeighbourLink(
                dataset=dataset,
                la_number=r.old_la_code,
                la_name=r.la_name,
                region=r.region,
                position=position,
                neighbour_number=number,
                closeness=closeness,
            )
            for r in rows
            for position, (number, closeness) in enumerate(r.neighbours, start=1)
        ],
        batch_size=500,
    )


def _write_lookup(dataset: Dataset, rows: list[imp.LookupRow]) -> None:
    LaLookupEntry.objects.bulk_create(
        [
            LaLookupEntry(
                dataset=dataset,
                ltla_code=r.ltla_code,
                ltla_name=r.ltla_name,
                utla_code=r.utla_code,
                utla_name=r.utla_name,
            )
            for r in rows
        ],
        batch_size=500,
    )


def _write_ro3(dataset: Dataset, rows: list[imp.Ro3Row]) -> None:
    Ro3Spend.objects.bulk_create(
        [
            Ro3Spend(
                dataset=dataset,
                financial_year=r.financial_year,
                ecode=r.ecode,
                ons_code=r.ons_code,
                name=r.name,
                la_class=r.la_class,
                total_expenditure=r.total_expenditure,
                total_income=r.total_income,
                net_current_expenditure=r.net_current_expenditure,
                note=r.note[:255],
            )
            for r in rows
        ],
        batch_size=500,
    )


def _write_series(dataset: Dataset, rows: list[Any]) -> None:
    """Figures by area from a published series file (``AreaSeries``), one row an area."""
    SeriesArea.objects.bulk_create(
        [SeriesArea(dataset=dataset, area_code=area.code, area_name=area.name[:120],
                    level=area.level, figures=area.to_dict()) for area in rows],
        batch_size=200,
    )  # fmt: skip


_WRITERS = {
    pub.CLA: _write_cla,
    pub.POPULATION: _write_population,
    imp.NEIGHBOURS: _write_neighbours,
    imp.NEIGHBOURS_2025: _write_neighbours,
    imp.LA_LOOKUP: _write_lookup,
    imp.RO3: _write_ro3,
}


# --------------------------------------------------------------------------- reading back


def datasets() -> list[Dataset]:
    return list(Dataset.objects.all())


def load_cla_rows() -> list[pub.ClaRow]:
    return [
        pub.ClaRow(
            year=f.year,
            level=f.level,
            area_code=f.area_code,
            area_name=f.area_name,
            old_la_code=f.old_la_code,
            region_code=f.region_code,
            region_name=f.region_name,
            measure=f.measure,
            population=f.population,
            count=f.count,
            published_rate=f.published_rate,
            note=f.note,
        )
        for f in ClaFigure.objects.order_by("id")
    ]


def load_population_rows() -> list[pub.PopulationRow]:
    return [
        pub.PopulationRow(
            year=p.year,
            level=p.level,
            area_code=p.area_code,
            area_name=p.area_name,
            old_la_code=p.old_la_code,
            region_code=p.region_code,
            population=p.population,
        )
        for p in PopulationEstimate.objects.order_by("id")
    ]


def load_neighbour_rows(model: str = "2021") -> list[imp.NeighbourRow]:
    """The neighbours of statistical-neighbour ``model`` (``2021`` or ``2025``)."""
    kind = neighbour_kind(model)
    grouped: dict[str, list[NeighbourLink]] = {}
    links = NeighbourLink.objects.filter(dataset__kind=kind)
    for link in links.order_by("la_number", "position"):
        grouped.setdefault(link.la_number, []).append(link)
    return [
        imp.NeighbourRow(
            old_la_code=number,
            la_name=links[0].la_name,
            region=links[0].region,
            neighbours=tuple((link.neighbour_number, link.closeness) for link in links),
        )
        for number, links in grouped.items()
    ]


def load_ro3_rows() -> list[imp.Ro3Row]:
    return [
        imp.Ro3Row(
            financial_year=s.financial_year,
            ecode=s.ecode,
            ons_code=s.ons_code,
            name=s.name,
            la_class=s.la_class,
            total_expenditure=s.total_expenditure,
            total_income=s.total_income,
            net_current_expenditure=s.net_current_expenditure,
            note=s.note,
        )
        for s in Ro3Spend.objects.order_by("id")
    ]


def load_lookup_rows() -> list[imp.LookupRow]:
    return [
        imp.LookupRow(e.ltla_code, e.ltla_name, e.utla_code, e.utla_name)
        for e in LaLookupEntry.objects.order_by("id")
    ]


def neighbour_kind(model: str) -> str:
    try:
        return imp.NEIGHBOUR_MODELS[str(model)]
    except KeyError:
        raise pub.PublishedFileError(
            "neighbours",
            f"unknown statistical-neighbour model {model!r}: choose "
            f"{' or '.join(imp.NEIGHBOUR_MODELS)}",
        ) from None


def neighbour_models() -> list[str]:
    """The statistical-neighbour models imported (``2021``, ``2025``)."""
    kinds = set(Dataset.objects.values_list("kind", flat=True))
    return [model for model, kind in imp.NEIGHBOUR_MODELS.items() if kind in kinds]


def load_series(kinds: Iterable[str] | None = None) -> Any:
    """The stored published series (all kinds, or those given) as one ``SeriesSet``."""
    from csplan.demand.annual.series import AreaSeries, SeriesSet, SourceFile

    result = SeriesSet()
    datasets = Dataset.objects.filter(series__isnull=False).distinct()
    if kinds is not None:
        datasets = datasets.filter(kind__in=list(kinds))
    for dataset in datasets:
        part = SeriesSet(sources=[SourceFile(dataset.kind, dataset.source_name, dataset.sha256,
                                             dataset.row_count)])  # fmt: skip
        for row in dataset.series.all():
            part.areas[row.area_code] = AreaSeries.from_dict(row.figures)
        result.merge(part)
    return result


def load_benchmark_data(neighbours: str = "2021") -> BenchmarkData:
    """Everything stored, as the plain values the calculations use, with the neighbours of
    the statistical-neighbour model chosen (``2021`` groupings or the ``2025`` model)."""
    data = build_benchmark_data(
        cla=load_cla_rows(),
        population=load_population_rows(),
        neighbours=load_neighbour_rows(neighbours),
        ro3=load_ro3_rows(),
        lookup=load_lookup_rows(),
        sources={d.slot: f"{d.source_name} (sha256 {d.sha256[:12]})" for d in datasets()},
    )
    data.neighbour_model = str(neighbours)
    return data


def benchmark_data_hash() -> str:
    """sha256 over the imported files' own hashes: which published files a figure used."""
    digest = hashlib.sha256()
    for dataset in sorted(datasets(), key=lambda d: d.slot):
        digest.update(f"{dataset.slot}:{dataset.sha256}\n".encode())
    return digest.hexdigest()


def attach_gap_evidence(line: SavingsLine, plan: GapPlan, *, user: Any = None) -> Evidence:
    """Record a close-the-gap plan as evidence for ``line`` (its saving by financial year)."""
    record = gap_evidence(plan)
    parameters = {**record["parameters"], "sources": load_benchmark_data().sources}
    return attach_evidence(
        line,
        kind=Evidence.Kind.BENCHMARK_GAP,
        title=record["title"],
        summary=record["summary"],
        savings=record["savings"],
        data_hash=benchmark_data_hash(),
        parameters=parameters,
        user=user,
    )


def save_gap_scenario(plan: GapPlan, *, user: Any = None) -> Any:
    """Save the gap as a named demand-model scenario, to run on the council's own returns."""
    from csplan.forecasts.services import save_scenario

    spec = scenario_spec(plan)
    definition = {"adjustments": spec["adjustments"]}
    description = (
        f"Made from the benchmark: entries scaled so that {plan.la_name}'s children looked after "
        f"fall from {plan.base_count:,} towards {round_half_up(plan.target_count, 0):,} by "
        f"31 March {plan.target_year.start + 1}."
    )
    return save_scenario(str(spec["name"]), definition, description=description, user=user)
