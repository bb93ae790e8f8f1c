"""Pure parts of the demand pages: upload unpacking, the fan chart, table twins."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from csplan.core.charts.fan import FanPoint, fan_chart_svg
from csplan.core.money import Unit
from csplan.core.table import Column, ColumnKind, Row, Table
from csplan.forecasts.uploads import UploadRefused, read_upload
from csplan.web.tables import download


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zips_are_unpacked_and_keep_their_paths():
    blobs = read_upload(
        [
            ("returns.zip", _zip({"2016/header.csv": b"a", "2016/episodes.csv": b"bb"})),
            ("2017_header.csv", b"ccc"),
        ]
    )
    assert [(b.name, b.size) for b in blobs] == [
        ("returns/2016/header.csv", 1),
        ("returns/2016/episodes.csv", 2),
        ("2017_header.csv", 3),
    ]


def test_wrong_types_broken_zips_and_paths_outside_are_refused():
    with pytest.raises(UploadRefused) as refused:
        read_upload([("notes.docx", b"x"), ("bad.zip", b"not a zip")])
    assert refused.value.messages[0].startswith("notes.docx:")
    assert refused.value.messages[1].startswith("bad.zip:")
    with pytest.raises(UploadRefused, match="outside"):
        read_upload([("evil.zip", _zip({"../etc/header.csv": b"x"}))])
    with pytest.raises(UploadRefused, match="Select"):
        read_upload([])


def test_the_size_limit_counts_unzipped_bytes(settings):
    settings.CSPLAN_DEMAND_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadRefused, match="unzipped"):
        read_upload([("big.zip", _zip({"episodes.csv": b"0" * 5000}))])
    with pytest.raises(UploadRefused, match="at most"):
        read_upload([("a.csv", b"0" * 600), ("b.csv", b"0" * 600)])


def test_fan_chart_is_accessible_svg():
    svg = fan_chart_svg(
        chart_id="fan-foster",
        title="Fostering <in-house>",
        description="Actual and forecast",
        actuals=[(date(2016, 1, 1), 100.0), (date(2016, 2, 1), 104.0)],
        forecast=[FanPoint(date(2016, 3, 1), 98.0, 105.0, 112.0)],
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="fan-foster-title fan-foster-desc"' in svg
    assert '<title id="fan-foster-title">Fostering &lt;in-house&gt;</title>' in svg


def test_demand_twins_use_the_core_table_count_date_and_committee_money():
    table = Table(
        "costs",
        "Costs",
        (
            Column("Year"),
            Column("Data to", ColumnKind.DATE),
            Column("Children", ColumnKind.COUNT),
            Column("Cost", ColumnKind.MONEY, Unit.THOUSANDS, 0),
        ),
        (Row(("2016/17", date(2017, 3, 31), 1203, Decimal("-1234500.50"))),),
    )
    assert table.displayed() == [["2016/17", "31 March 2017", "1,203", "(1,235)"]]
    body = json.loads(download([table], "json").content)
    assert body["rows"][0]["cells"] == ["2016/17", "2017-03-31", "1203", "-1235"]
    text = download([table], "csv").content.decode()
    assert text.splitlines() == [
        "Year,Data to,Children,Cost (£'000)",
        "2016/17,2017-03-31,1203,-1235",
    ]
