"""Publishing a pack: freeze its data and rendered files with a hash; the next pack shows the
movements since the last one published."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction

from csplan.core.periods import MonitoringPeriod
from csplan.monitoring.risk import DEFAULT_DRAWS, DEFAULT_SEED
from csplan.pack.builder import (
    PackCover,
    PackData,
    build_pack,
    chosen,
    pack_from_json,
    pack_to_json,
)
from csplan.pack.models import PublishedPack
from csplan.pack.render import render_html, render_pdf, render_xlsx
from csplan.programme.models import Plan


def last_published(plan: Plan, before: MonitoringPeriod) -> PublishedPack | None:
    """The latest pack published for a period before ``before``."""
    earlier = [pack for pack in plan.published_packs.all() if pack.period < before]
    return max(earlier, key=lambda pack: (pack.period, pack.id), default=None)


def pack_for(
    plan: Plan,
    period: MonitoringPeriod,
    tables: Sequence[str] | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> PackData:
    """The pack for ``period``, with movements since the last published pack."""
    previous = last_published(plan, period)
    return build_pack(
        plan, period, tables, since=previous.period if previous else None, draws=draws, seed=seed
    )


def fingerprint(data: dict[str, Any], html: str, pdf: bytes, xlsx: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for part in (html.encode("utf-8"), pdf, xlsx):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


@transaction.atomic
def publish(
    plan: Plan,
    period: MonitoringPeriod,
    tables: Sequence[str] | None = None,
    *,
    user: Any = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    cover: PackCover | None = None,
) -> PublishedPack:
    """Freeze the pack for ``period``, with its ``cover`` printed on the first page."""
    pack = replace(pack_for(plan, period, tables, draws=draws, seed=seed), cover=cover)
    data = pack_to_json(pack)
    html, pdf, xlsx = render_html(pack), render_pdf(pack), render_xlsx(pack)
    published = PublishedPack(
        plan=plan,
        year=period.year.start,
        month=period.number,
        tables=chosen(tables),
        data=data,
        html=html,
        pdf=pdf,
        xlsx=xlsx,
        sha256=fingerprint(data, html, pdf, xlsx),
        published_by=user if getattr(user, "is_authenticated", False) else None,
        **_cover_fields(cover),
    )
    published.save()
    return published


def _cover_fields(cover: PackCover | None) -> dict[str, Any]:
    if cover is None:
        return {}
    return {
        "committee": cover.committee,
        "meeting_date": cover.meeting_date,
        "author_role": cover.author_role,
        "purpose": cover.purpose,
        "recommendations": "\n".join(cover.recommendations),
    }


def verify(published: PublishedPack) -> bool:
    """True when the stored data and files still match the hash taken at publication."""
    return published.sha256 == fingerprint(
        published.data, published.html, bytes(published.pdf), bytes(published.xlsx)
    )


def published_data(published: PublishedPack) -> PackData:
    return pack_from_json(published.data)
