"""Publishing freezes a pack; the next pack shows the movements since it."""

import pytest
from click.testing import CliRunner

from csplan.cli import cli
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.pack.models import FrozenPackError, PublishedPack
from csplan.pack.store import pack_for, publish, published_data, verify

Y16 = FinancialYear(2016)


def test_a_published_pack_is_frozen_and_the_next_shows_movements_since(plan):
    first = publish(plan, MonitoringPeriod(Y16, 6), ["movements"], draws=200)
    assert verify(first)
    assert published_data(first).table("movements").rows[-1].cells[0] == "Total"
    with pytest.raises(FrozenPackError):
        first.html = "changed"
        first.save()
    with pytest.raises(FrozenPackError):
        PublishedPack.objects.get(pk=first.pk).delete()
    tampered = PublishedPack.objects.get(pk=first.pk)
    tampered.data["plan"] = "something else"
    assert not verify(tampered)

    following = pack_for(plan, MonitoringPeriod(Y16, 9), ["movements"], draws=200)
    assert following.since == MonitoringPeriod(Y16, 6)
    periods = {row.cells[0] for row in following.table("movements").rows[:-1]}
    assert periods == {"2016/17 Month 7", "2016/17 Month 9"}


def test_cli_writes_and_publishes_a_pack(plan, tmp_path):
    runner = CliRunner()
    out = tmp_path / "m9.html"
    result = runner.invoke(
        cli,
        ["pack", "--year", "2016/17", "--month", "9", "--output", str(out),
         "--tables", "monitoring_summary,at_risk", "--publish"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Published and frozen: sha256" in result.output
    assert "Savings at risk, with mitigation" in out.read_text()
    assert PublishedPack.objects.get().tables == ["monitoring_summary", "at_risk"]

    bad = runner.invoke(cli, ["pack", "--year", "2016/17", "--month", "13", "--output", str(out)])
    assert bad.exit_code != 0 and "monitoring month" in bad.output
    bad = runner.invoke(
        cli, ["pack", "--year", "2016/17", "--month", "9", "--output", str(tmp_path / "x.doc")]
    )
    assert bad.exit_code != 0 and "--format" in bad.output
