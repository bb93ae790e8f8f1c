"""The committee pack: its tables for a month, and the packs published (frozen with a hash).

The PDF, HTML and XLSX of a published pack are its web page's downloads; here a pack is data:
each table as the pages' JSON twins give it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import PROGRAMME, VIEW
from csplan.api.access import allow, plan_of
from csplan.api.errors import answers, invalid, not_found
from csplan.api.monitoring import PeriodChoice, chosen_period
from csplan.api.types import (
    DateIn,
    Input,
    Label,
    MonthIn,
    Output,
    Period,
    ShortText,
    TableOut,
    Text,
    YearIn,
    period_of,
    period_out,
    table_out,
)
from csplan.pack.builder import TABLES, PackCover, PackData, PackError
from csplan.pack.models import PublishedPack
from csplan.pack.store import pack_for, publish, published_data, verify

router = Router(tags=["packs"])

TableName = Literal[tuple(TABLES)]  # type: ignore[valid-type]


class CoverOut(Output):
    committee: str
    meeting_date: date
    author_role: str = Field(description="The report author's role")
    purpose: str
    recommendations: list[str]


class PackOut(Output):
    council: str
    plan: str
    title: str
    period: Period
    since: Period | None = Field(description="Movements are shown after the last pack's period")
    tables: list[TableOut]
    notes: list[str]
    cover: CoverOut | None = Field(None, description="The cover, when the pack was given one")


class PublishedSummary(Output):
    id: int
    period: Period
    tables: list[str]
    sha256: str = Field(description="Hash of the data and the three files")
    published_at: datetime
    url: str
    files: dict[str, str] = Field(description="The HTML, PDF and XLSX as published")


class PublishedPackOut(PublishedSummary):
    intact: bool = Field(description="The data and files still match the hash")
    pack: PackOut


class PublishedList(Output):
    packs: list[PublishedSummary]


class PackChoice(PeriodChoice):
    tables: list[TableName] = Field(  # type: ignore[valid-type]
        default_factory=list, description="The sections (default: all)"
    )


class CoverIn(Input):
    """The pack's cover, printed on its first page."""

    committee: Label = Field(description="The meeting the pack goes to, e.g. Cabinet")
    meeting_date: DateIn
    author_role: Label = Field(description="The report author's role, never a name")
    purpose: Text
    recommendations: list[ShortText] = Field(
        max_length=30, description="What the committee is asked to do, one item each"
    )

    def cover(self) -> PackCover:
        return PackCover(
            committee=self.committee.strip(),
            meeting_date=self.meeting_date,
            author_role=self.author_role.strip(),
            purpose=self.purpose.strip(),
            recommendations=tuple(text.strip() for text in self.recommendations if text.strip()),
        )


class PublishIn(Input):
    year: YearIn
    month: MonthIn
    tables: list[TableName] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=len(TABLES), description="The sections (default: all)"
    )
    cover: CoverIn | None = Field(None, description="The cover (as the pack page asks for it)")


def pack_out(pack: PackData) -> PackOut:
    return PackOut(
        council=pack.council,
        plan=pack.plan,
        title=pack.title,
        period=period_out(pack.period),
        since=period_out(pack.since) if pack.since else None,
        tables=[table_out(table) for table in pack.tables],
        notes=list(pack.notes),
        cover=CoverOut(**pack.cover.to_json()) if pack.cover else None,
    )


def published_summary(pack: PublishedPack) -> PublishedSummary:
    files = {fmt: f"/plans/{pack.plan.slug}/pack/published/{pack.pk}.{fmt}" for fmt in FORMATS}
    return PublishedSummary(
        id=pack.pk,
        period=period_out(pack.period),
        tables=list(pack.tables),
        sha256=pack.sha256,
        published_at=pack.published_at,
        url=f"/api/plans/{pack.plan.slug}/packs/{pack.pk}",
        files=files,
    )


FORMATS = ("html", "pdf", "xlsx")


@router.get(
    "/plans/{plan}/pack",
    response=answers(PackOut),
    auth=allow(VIEW),
    operation_id="getPack",
    url_name="pack",
    summary="The committee pack's tables for a month (not published)",
)
def get_pack(request: HttpRequest, plan: str, choice: Query[PackChoice]) -> PackOut:
    found = plan_of(request)
    try:
        return pack_out(pack_for(found, chosen_period(found, choice), choice.tables or None))
    except PackError as error:
        raise invalid({"year": str(error)}) from None


@router.get(
    "/plans/{plan}/packs",
    response=answers(PublishedList),
    auth=allow(VIEW),
    operation_id="listPacks",
    url_name="packs",
    summary="The packs published for the plan, latest first",
)
def list_packs(request: HttpRequest, plan: str) -> PublishedList:
    found = plan_of(request)
    return PublishedList(packs=[published_summary(p) for p in found.published_packs.all()])


@router.post(
    "/plans/{plan}/packs",
    response=answers(PublishedPackOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="publishPack",
    url_name="packs",
    summary="Publish the pack for a month: freeze its data, HTML, PDF and XLSX with a hash "
    "(finance, admin)",
)
def publish_pack(request: HttpRequest, plan: str, payload: PublishIn) -> Status[PublishedPackOut]:
    cover = payload.cover.cover() if payload.cover else None
    if cover is not None and cover.problems():
        raise invalid({f"cover.{name}": text for name, text in cover.problems().items()})
    try:
        published = publish(
            plan_of(request),
            period_of(payload.year, payload.month),
            payload.tables or None,
            user=request.user,
            cover=cover,
        )
    except PackError as error:
        raise invalid({"year": str(error)}) from None
    return Status(201, published_out(published))


def published_out(pack: PublishedPack) -> PublishedPackOut:
    return PublishedPackOut(
        **published_summary(pack).model_dump(),
        intact=verify(pack),
        pack=pack_out(published_data(pack)),
    )


@router.get(
    "/plans/{plan}/packs/{id:pack}",
    response=answers(PublishedPackOut),
    auth=allow(VIEW),
    operation_id="getPublishedPack",
    url_name="published_pack",
    summary="A published pack's data, and whether it still matches its hash",
)
def get_published(request: HttpRequest, plan: str, pack: int) -> PublishedPackOut:
    found = PublishedPack.objects.filter(pk=pack, plan=plan_of(request)).first()
    if found is None:
        raise not_found("pack", f"There is no published pack {pack} in this plan")
    return published_out(found)
