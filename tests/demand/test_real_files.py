"""Councils' real files: dates with times, two-digit years and month first, encodings,
delimiters, too many unusable rows, codes by collection year, and the council's LA code.

Every file is made here from synthetic returns (no real children).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csplan.cli import cli
from csplan.demand.config import load_config
from csplan.demand.dates import MONTH_FIRST, DateOrderError, column_orders, parse_dates
from csplan.demand.episodes import InputError, check_usable, load_returns, unreadable_shares
from csplan.demand.readers import sniff_delimiter
from csplan.demand.synthetic import generate, write_returns

DATE_COLUMNS = ("DOB", "MC_DOB", "DECOM", "DEC")


def run(*args: object) -> object:
    """``csplan demand ...`` in-process; an exception (a traceback) fails the test."""
    return CliRunner().invoke(cli, ["demand", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("real") / "903"
    write_returns(folder, returns=generate(200, years=3, last_year=2025, seed=8))
    return folder


@pytest.fixture(scope="module")
def reference(synthetic: Path) -> object:
    return load_returns(synthetic)


def rewrite(
    source: Path, target: Path, *, dates: Callable[[str], str] | None = None,
    sep: str = ",", encoding: str = "utf-8", only: str | None = None,
) -> Path:  # fmt: skip
    """Copy the returns, each CSV rewritten: date cells through ``dates``, with ``sep`` and
    ``encoding`` (``only``: just the files whose relative path contains it)."""
    shutil.copytree(source, target)
    for path in sorted(target.rglob("*.csv")):
        if only and only not in path.relative_to(target).as_posix():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in DATE_COLUMNS:
            if dates and column in frame.columns:
                frame[column] = [dates(v) if v else v for v in frame[column]]
        path.write_bytes(frame.to_csv(index=False, sep=sep).encode(encoding))
    return target


def month_first(text: str) -> str:
    day, month, year = text.split("/")
    return f"{month}/{day}/{year}"


def hand_made(root: Path, episodes: str, header: str | None = None, year: int = 2024) -> Path:
    """One collection year from CSV text (the episodes' columns as in ``EPISODES``)."""
    folder = root / str(year)
    folder.mkdir(parents=True)
    (folder / "episodes.csv").write_text(EPISODES + episodes, encoding="utf-8")
    (folder / "header.csv").write_text(header or HEADER, encoding="utf-8")
    return root


EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
HEADER = "CHILD,SEX,DOB\nA,1,05/06/2012\nB,2,14/02/2010\nC,1,01/01/2015\nD,2,20/07/2011\n"


# -- dates ------------------------------------------------------------------------------------


def test_dates_with_times_and_two_digit_years_parse_to_the_same_day():
    values = pd.Series([
        "31/03/2024 00:00", "31/03/2024 13:45:10", "2024-03-31T00:00:00", "31/03/24", "1/4/99",
        "31.03.2024", "31/02/2024", "", "spring",
    ])  # fmt: skip
    parsed = parse_dates(values, pivot=2024)
    assert [None if pd.isna(d) else d.date().isoformat() for d in parsed] == [
        "2024-03-31", "2024-03-31", "2024-03-31", "2024-03-31", "1999-04-01", "2024-03-31",
        None, None, None,
    ]  # fmt: skip


def test_a_two_digit_year_is_the_latest_year_not_after_the_pivot():
    parsed = parse_dates(pd.Series(["01/01/24", "01/01/25", "01/01/68", "01/01/69"]), pivot=2024)
    assert [d.year for d in parsed] == [2024, 1925, 1968, 1969]
    default = parse_dates(pd.Series(["01/01/68", "01/01/69"]))  # no collection year: as %y
    assert [d.year for d in default] == [2068, 1969]


def test_a_return_with_times_on_every_date_reads_as_without(synthetic, reference, tmp_path):
    folder = rewrite(synthetic, tmp_path / "t", dates=lambda v: f"{v} 00:00")
    returns = load_returns(folder)
    assert returns.data_hash == reference.data_hash
    assert len(returns.episodes) == len(reference.episodes) == 1129
    assert not [i for i in returns.issues if i.rule == "bad-date"]


def test_a_return_with_two_digit_years_reads_as_with_four(synthetic, reference, tmp_path):
    folder = rewrite(synthetic, tmp_path / "y", dates=lambda v: v[:6] + v[8:])
    assert (
        (folder / "2023" / "episodes.csv")
        .read_text()
        .splitlines()[1]
        .startswith("C000377,24/01/16,")
    )
    assert load_returns(folder).data_hash == reference.data_hash


def test_month_first_files_are_read_when_every_column_proves_it(synthetic, reference, tmp_path):
    folder = rewrite(synthetic, tmp_path / "us", dates=month_first)
    assert (
        (folder / "2023" / "episodes.csv")
        .read_text()
        .splitlines()[1]
        .startswith("C000377,01/24/2016,")
    )
    returns = load_returns(folder)
    assert returns.data_hash == reference.data_hash
    assert len(returns.episodes) == 1129


def test_a_column_mixing_both_orders_is_refused_naming_file_and_column(tmp_path):
    root = hand_made(tmp_path, "A,13/05/2023,S,C2,N1,U4,PR1,,\nB,05/14/2023,S,C2,N1,U4,PR1,,\n")
    with pytest.raises(DateOrderError) as caught:
        load_returns(root)
    message = str(caught.value)
    assert message.startswith("2024/episodes.csv, column DECOM: dates are mixed")
    assert "1 distinct values are day first" in message and "1 month first" in message


def test_an_unproven_column_beside_a_month_first_one_is_refused(tmp_path):
    # DECOM proves month first (05/14/2023); DEC's 02/03/2024 could be either.
    root = hand_made(tmp_path, "A,05/14/2023,S,C2,N1,U4,PR1,02/03/2024,E11\n")
    with pytest.raises(InputError, match=r"^2024/episodes.csv, column DEC: cannot tell day from "
                       r"month.*column DECOM of this file is written month first"):  # fmt: skip
        load_returns(root)


def test_column_orders_reads_day_first_when_nothing_proves_otherwise():
    frame = pd.DataFrame({"DECOM": ["01/02/2024", "03/04/2024"], "DEC": ["", "2024-05-06"]})
    assert column_orders(frame, ["DECOM", "DEC"], "f.csv") == {"DECOM": "day-first",
                                                                "DEC": "day-first"}  # fmt: skip
    frame = pd.DataFrame({"DECOM": ["01/13/2024"], "DEC": ["2024-05-06"]})
    assert column_orders(frame, ["DECOM", "DEC"], "f.csv")["DECOM"] == MONTH_FIRST


def test_half_month_first_episodes_are_refused_not_half_dropped(synthetic, tmp_path):
    # The measured failure: US-style dates in the latest episodes file only; before, the rows
    # with a day over 12 were dropped and the forecast made on the rest.
    folder = rewrite(synthetic, tmp_path / "half", dates=month_first, only="2025/episodes")
    frame = pd.read_csv(folder / "2025" / "episodes.csv", dtype=str, keep_default_na=False)
    frame.loc[: len(frame) // 2, "DECOM"] = [month_first(v) for v in
                                             frame.loc[: len(frame) // 2, "DECOM"]]  # fmt: skip
    frame.to_csv(folder / "2025" / "episodes.csv", index=False)
    with pytest.raises(DateOrderError, match=r"^2025/episodes.csv, column DECOM: dates are mixed"):
        load_returns(folder)
    result = run("forecast", folder, "--simulations", 0)
    assert result.exit_code == 1
    assert "Error: 2025/episodes.csv, column DECOM: dates are mixed" in result.output


# -- encodings and delimiters -----------------------------------------------------------------


def _even(data: bytes) -> bytes:
    return data if len(data) % 2 == 0 else data + b"\n"


def test_windows_1252_of_even_length_is_not_read_as_utf16(tmp_path):
    root = hand_made(tmp_path, "A,01/05/2023,S,C2,N1,U4,PR1,,\n")
    header = _even("CHILD,SEX,DOB,ETHNIC\nA,1,05/06/2012,Café\n".encode("cp1252"))
    assert len(header) % 2 == 0 and b"\x00" not in header
    (root / "2024" / "header.csv").write_bytes(header)
    returns = load_returns(root)
    assert returns.header["ethnic"].tolist() == ["CAFÉ"]
    assert returns.episodes["child_id"].tolist() == ["A"]


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")],
)  # fmt: skip
def test_utf8_and_utf16_with_a_bom_or_nul_bytes(tmp_path, encoding, bom):
    root = hand_made(tmp_path, "A,01/05/2023,S,C2,N1,U4,PR1,,\n")
    text = "CHILD\tSEX\tDOB\tETHNIC\nA\t1\t05/06/2012\tÉire\n"
    (root / "2024" / "header.csv").write_bytes(bom + text.encode(encoding))
    assert load_returns(root).header["ethnic"].tolist() == ["ÉIRE"]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_returns_read_as_comma(synthetic, reference, tmp_path, sep):
    folder = rewrite(synthetic, tmp_path / "s", sep=sep, encoding="cp1252")
    assert (
        (folder / "2024" / "header.csv").read_bytes().startswith(f"CHILD{sep}SEX{sep}DOB".encode())
    )
    assert load_returns(folder).data_hash == reference.data_hash


def test_sniff_delimiter_judges_the_header_line():
    assert sniff_delimiter("CHILD;SEX;DOB\nA;1;01/01/2010\n") == ";"
    assert sniff_delimiter("\ufeffCHILD\tSEX\tDOB\n") == "\t"
    assert sniff_delimiter('CHILD,SEX,DOB\nA,1,"a;b;c;d"\n') == ","
    assert sniff_delimiter("CHILD\n") == ","


def test_an_unreadable_csv_names_the_file_encoding_and_delimiter(tmp_path):
    root = hand_made(tmp_path, "")
    (root / "2024" / "episodes.csv").write_bytes(
        b'CHILD;DECOM;RNE;LS;PLACE;PLACE_PROVIDER;DEC;REC\n"A;01/05/2023;S\n'
    )
    with pytest.raises(InputError) as caught:
        load_returns(root)
    assert str(caught.value).startswith(
        "2024/episodes.csv: cannot read this CSV file, read as UTF-8, semicolon-separated, "
        "first line 'CHILD;DECOM;RNE;LS;PLACE;PLACE_PROVIDER;DEC;REC'"
    )


def test_a_one_column_file_says_how_columns_are_separated(tmp_path):
    root = hand_made(tmp_path, "")
    (root / "2024" / "header.csv").write_text("CHILD|SEX|DOB\nA|1|05/06/2012\n")
    with pytest.raises(
        InputError,
        match=r"^2024/header.csv: the header table has no CHILD, SEX, "
        r"DOB columns \(columns found: CHILD\|SEX\|DOB\); the file has one column",
    ):
        load_returns(root)


# -- too many rows that cannot be used --------------------------------------------------------


def _damage_decom(folder: Path, rows: int) -> int:
    path = folder / "2025" / "episodes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[: rows - 1, "DECOM"] = "not a date"
    frame.to_csv(path, index=False)
    return len(frame)


def test_a_large_share_of_unreadable_dates_is_refused_with_file_column_count_share(
    synthetic, tmp_path
):
    folder = rewrite(synthetic, tmp_path / "bad")
    total = _damage_decom(folder, 50)
    returns = load_returns(folder)  # validate lists the rows: loading itself does not refuse
    [share] = unreadable_shares(returns)
    assert (share.file, share.column, share.count, share.rows) == (
        "2025/episodes.csv", "DECOM", 50, total)  # fmt: skip
    with pytest.raises(InputError) as caught:
        check_usable(returns)
    assert f"2025/episodes.csv, column DECOM: 50 of {total} rows (10.0%) cannot be used" in str(
        caught.value
    )
    for command in ("forecast", "backtest"):
        result = run(command, folder, "--simulations", 0)
        assert result.exit_code == 1, command
        assert "no forecast is made on the rest" in result.output
        assert f"column DECOM: 50 of {total} rows (10.0%)" in result.output


def test_a_small_share_is_forecast_with_a_warning_in_the_output(synthetic, tmp_path):
    folder = rewrite(synthetic, tmp_path / "few")
    total = _damage_decom(folder, 2)
    result = run("forecast", folder, "--simulations", 0, "--months", 3, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["warnings"] == [
        f"2025/episodes.csv, column DECOM: 2 of {total} rows (0.4%) cannot be used (e.g. DECOM "
        "'not a date' is not a date (dd/mm/YYYY)): dropped or read as the rule says"
    ]
    text = run("forecast", folder, "--simulations", 0, "--months", 3).output
    assert "Warnings (input rows dropped or misread):" in text
    assert "column DECOM: 2 of" in text


@pytest.mark.parametrize(
    "dates", [lambda v: f"{v} 00:00", lambda v: v[:6] + v[8:]], ids=["time", "two-digit-year"]
)
def test_forecast_and_backtest_run_on_real_date_forms(synthetic, tmp_path, dates):
    # Both gave a traceback before.
    folder = rewrite(synthetic, tmp_path / "t", dates=dates)
    forecast = run("forecast", folder, "--simulations", 0, "--months", 3, "--format", "csv")
    assert forecast.exit_code == 0, forecast.output
    lines = forecast.stdout.splitlines()
    assert lines[0] == "date,age_band,placement_group,p10,p50,p90"
    assert lines[1].startswith("2025-04-30,")
    backtest = run("backtest", folder, "--simulations", 0, "--horizon", 6)
    assert backtest.exit_code == 0, backtest.output


# -- codes by collection year -----------------------------------------------------------------


def _place_issues(root: Path) -> list[tuple[str, int | None, str]]:
    return [(i.file, i.row, i.message) for i in load_returns(root).issues
            if i.column == "PLACE"]  # fmt: skip


def test_k3_before_2024_25_is_not_a_code_of_that_return(tmp_path):
    row = "A,01/05/2023,S,C2,N1,K3,PR4,,\n"
    assert _place_issues(hand_made(tmp_path / "a", row, year=2024)) == [
        ("2024/episodes.csv", 2, "PLACE 'K3' is not a code of the 2023-24 return (K3 is valid "
         "from 2024-25)"),
    ]  # fmt: skip
    assert _place_issues(hand_made(tmp_path / "b", row.replace("2023", "2024"), year=2025)) == []


def test_h5_and_z1_in_2025_26_are_refused_and_z11_to_z14_known(tmp_path):
    rows = ("A,01/05/2025,S,C2,N1,H5,PR4,,\nB,01/06/2025,S,C2,N1,Z1,,,\n"
            "C,01/07/2025,S,C2,N1,Z12,,,\nD,01/08/2025,S,C2,N1,K3,PR4,,\n")  # fmt: skip
    root = hand_made(tmp_path, rows, year=2026)
    returns = load_returns(root)
    assert [(i.row, i.column, i.message) for i in returns.issues] == [
        (2, "PLACE", "PLACE 'H5' is not a code of the 2025-26 return (H5 is valid until "
         "2024-25)"),
        (3, "PLACE", "PLACE 'Z1' is not a code of the 2025-26 return (Z1 is valid until "
         "2024-25, replaced by Z11, Z12, Z13, Z14)"),
    ]  # fmt: skip
    config = load_config()
    groups = config.assign_groups(pd.Series(["Z1", "Z11", "Z12", "Z13", "Z14"]),
                                  pd.Series([""] * 5))  # fmt: skip
    assert {config.group_keys[g] for g in groups} == {"other"}


def test_a_user_group_listing_z1_takes_z11_to_z14(tmp_path):
    text = (
        "age_bands:\n  - {key: all, from: 0, to: 18}\nplacement_groups:\n"
        "  - {key: z, place: [Z1]}\n  - {key: rest, default: true}\n"
    )
    path = tmp_path / "model.yaml"
    path.write_text(text)
    config = load_config(path)
    groups = config.assign_groups(pd.Series(["Z1", "Z11", "Z14", "U4"]), pd.Series([""] * 4))
    assert [config.group_keys[g] for g in groups] == ["z", "z", "z", "rest"]


def test_the_2026_27_deprivation_of_liberty_table_is_recognised(tmp_path):
    root = hand_made(tmp_path, "A,01/05/2026,S,C2,N1,U4,PR1,,\n", year=2027)
    (root / "2027" / "dolo.csv").write_text("CHILD,DOB,DOLO_START,DOLO_END\nA,05/06/2012,"
                                            "02/05/2026,\n")  # fmt: skip
    returns = load_returns(root)
    assert [(i.file, i.rule, i.action) for i in returns.issues] == [
        ("2027/dolo.csv", "ignored-file", "file not used")
    ]
    assert "deprivation of liberty (from 2026-27)" in returns.issues[0].message
    assert returns.episodes["place"].tolist() == ["U4"]


# -- the council ------------------------------------------------------------------------------


def test_no_default_council_validate_needs_la_when_the_files_do_not_say(synthetic):
    result = run("validate", synthetic, "--year", 2025)
    assert result.exit_code == 2
    assert "the DfE rules need your council's LA code" in result.output
    assert "--la CODE" in result.output
    assert run("validate", synthetic, "--no-dfe").exit_code == 0


def test_the_la_code_is_taken_from_the_file_names_when_consistent(synthetic, tmp_path):
    folder = tmp_path / "903"
    for year in (2023, 2024, 2025):
        shutil.copytree(synthetic / str(year), folder / f"E10000015_{year}")
    assert load_returns(folder).local_authority == "E10000015"
    shutil.copytree(synthetic / "2025", tmp_path / "other" / "E06000001_2025")
    shutil.copytree(synthetic / "2024", tmp_path / "other" / "E10000015_2024")
    assert load_returns(tmp_path / "other").local_authority is None


def test_the_la_code_is_taken_from_an_la_column(tmp_path):
    root = hand_made(tmp_path, "A,01/05/2023,S,C2,N1,U4,PR1,,\n")
    (root / "2024" / "header.csv").write_text("CHILD,SEX,DOB,LA\nA,1,05/06/2012,e09000027\n")
    assert load_returns(root).local_authority == "E09000027"


@pytest.mark.validator
def test_without_an_la_code_the_placement_location_rules_are_not_run(synthetic):
    from csplan.demand.validator import validate_returns

    report = validate_returns(synthetic, 2025)
    assert {"229", "411", "1015"} <= set(report.la_rules)
    assert report.notes[0].startswith("the council's LA code is not in the files and was not "
                                      "given (--la): the rules on where children are placed "
                                      "were not run (")  # fmt: skip
    given = validate_returns(synthetic, 2025, local_authority="E10000015")
    assert given.la_rules == []
    assert given.rules_run > report.rules_run


@pytest.mark.validator
def test_validate_uses_the_la_code_from_the_file_names(synthetic, tmp_path):
    folder = tmp_path / "903"
    for year in (2024, 2025):
        shutil.copytree(synthetic / str(year), folder / f"E10000015_{year}")
    result = run("validate", folder, "--year", 2025, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "LA code E10000015, from the files" in result.output
    [report] = json.loads(result.stdout)["dfe"]
    assert report["la_rules"] == []
    assert not [n for n in report["notes"] if "LA code" in n]
