"""load_returns: every input variant, every bad-input rule, and the peer's crashes."""

from __future__ import annotations

import datetime as dt
import random
import shutil

import pandas as pd
import pytest

from csplan.demand.episodes import EPISODE_COLUMNS, InputError, load_returns, parse_dates


def issues_by_rule(returns, rule):
    return [i for i in returns.issues if i.rule == rule]


def test_two_folders_are_stitched_into_one_row_per_episode(tmp_path, write_903, base_returns):
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    eps = returns.episodes
    assert list(eps.columns) == EPISODE_COLUMNS
    assert returns.years == [2023, 2024]
    assert returns.last_date == dt.date(2024, 3, 31)
    assert returns.issues == []
    assert list(zip(eps["child_id"], eps["start"].dt.strftime("%Y-%m-%d"), strict=True)) == [
        ("C1", "2022-06-01"), ("C1", "2022-09-01"), ("C2", "2024-01-01"), ("C3", "2022-05-15"),
    ]  # fmt: skip
    repeated = eps.iloc[1]
    # The episode open on 31 March 2023 is taken from the later return, with its end.
    assert repeated["end"] == pd.Timestamp("2023-05-05")
    assert repeated["rec"] == "E4A"
    assert (repeated["source_file"], repeated["source_row"]) == ("2024/episodes.csv", 2)
    assert pd.isna(eps.iloc[2]["end"]) and eps.iloc[2]["rec"] == ""
    assert eps.iloc[3]["sex"] == "2" and eps.iloc[3]["ethnic"] == "BAFR"
    assert eps["dob"].dtype == "datetime64[ns]" and eps["end"].dtype == "datetime64[ns]"
    assert eps["uasc"].dtype == bool and not eps["uasc"].any()
    assert len(returns.header) == 3


def test_flat_folder_with_years_in_file_names(tmp_path, write_903, base_returns):
    returns = load_returns(write_903(tmp_path / "flat", base_returns, layout="flat"))
    assert returns.years == [2023, 2024]
    assert len(returns.episodes) == 4
    assert returns.episodes.iloc[1]["source_file"] == "episodes_2024.csv"


def test_folders_named_like_2022_23_mean_the_year_ending_march_2023(tmp_path, write_903,
                                                                     base_returns):  # fmt: skip
    root = write_903(tmp_path / "in", base_returns)
    (root / "2023").rename(root / "SSDA903 2022-23")
    (root / "2024").rename(root / "SSDA903_2023_24")
    returns = load_returns(root)
    assert returns.years == [2023, 2024]
    assert len(returns.episodes) == 4


def test_nested_folders_are_searched(tmp_path, write_903, base_returns):
    root = tmp_path / "council"
    write_903(root / "returns" / "903" / "submitted", base_returns)
    reference = load_returns(write_903(tmp_path / "plain", base_returns))
    returns = load_returns(root)
    assert len(returns.episodes) == 4
    assert returns.data_hash == reference.data_hash
    assert returns.episodes.iloc[0]["source_file"] == "returns/903/submitted/2023/episodes.csv"


@pytest.mark.parametrize("layout", ["folders", "flat"])
def test_zip_of_either_layout(tmp_path, write_903, zip_903, base_returns, layout):
    folder = write_903(tmp_path / "in", base_returns, layout=layout)
    archive = zip_903(folder, tmp_path / "returns.zip")
    shutil.rmtree(folder)
    returns = load_returns(archive)
    assert len(returns.episodes) == 4
    assert returns.years == [2023, 2024]
    assert returns.episodes.iloc[0]["source_file"].startswith("returns.zip/")


def test_xlsx_gives_the_same_data_hash_as_csv(tmp_path, write_903, base_returns):
    csv_returns = load_returns(write_903(tmp_path / "csv", base_returns))
    xlsx_returns = load_returns(write_903(tmp_path / "xlsx", base_returns, fmt="xlsx"))
    assert len(xlsx_returns.episodes) == 4
    assert xlsx_returns.issues == []
    assert xlsx_returns.data_hash == csv_returns.data_hash
    assert xlsx_returns.episodes.iloc[1]["source_file"] == "2024/episodes.xlsx"


def test_list_of_files_is_accepted(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns)
    files = sorted(root.rglob("*.csv"))
    returns = load_returns(files)
    assert len(returns.episodes) == 4 and returns.years == [2023, 2024]


def test_iso_dates_and_excel_datetimes(tmp_path, write_903, base_returns):
    reference = load_returns(write_903(tmp_path / "dmy", base_returns))
    for tables in base_returns.values():
        for rows in tables.values():
            for row in rows:
                for column in ("DOB", "DECOM", "DEC"):
                    if row.get(column):
                        d, m, y = row[column].split("/")
                        row[column] = f"{y}-{m}-{d}"
    base_returns[2024]["header"][0]["DOB"] = "2015-02-01 00:00:00"
    returns = load_returns(write_903(tmp_path / "iso", base_returns))
    assert returns.issues == []
    assert returns.data_hash == reference.data_hash


def test_parse_dates_accepts_both_styles_and_rejects_impossible_dates():
    parsed = parse_dates(pd.Series(["1/4/2024", "31/03/2024", "2024-03-31", "31/02/2024",
                                    "", "2024-3-31x", "31.03.2024"]))  # fmt: skip
    assert parsed.dt.strftime("%Y-%m-%d").fillna("NaT").tolist() == [
        "2024-04-01", "2024-03-31", "2024-03-31", "NaT", "NaT", "NaT", "2024-03-31",
    ]  # fmt: skip


def test_missing_non_model_columns_are_fine(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns,
                     drop_columns=("HOME_POST", "PL_POST", "URN", "REASON_PLACE_CHANGE", "UPN",
                                   "MOTHER", "MC_DOB", "CIN"))  # fmt: skip
    returns = load_returns(root)
    assert len(returns.episodes) == 4
    assert set(returns.episodes["cin"]) == {""}


def test_row_and_column_order_do_not_change_the_hash(tmp_path, write_903, base_returns):
    reference = load_returns(write_903(tmp_path / "a", base_returns)).data_hash
    random.Random(1).shuffle(base_returns[2023]["episodes"])
    root = write_903(tmp_path / "b", base_returns)
    path = root / "2024" / "episodes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[list(reversed(frame.columns))].to_csv(path, index=False)
    assert load_returns(root).data_hash == reference
    base_returns[2024]["episodes"][1]["PLACE"] = "U4"
    assert load_returns(write_903(tmp_path / "c", base_returns)).data_hash != reference


def test_sex_m_f_is_mapped_to_1_2(tmp_path, write_903, base_returns):
    base_returns[2024]["header"][0]["SEX"] = "M"
    base_returns[2024]["header"][1]["SEX"] = "F"
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    sexes = dict(zip(returns.episodes["child_id"], returns.episodes["sex"], strict=False))
    assert sexes == {"C1": "1", "C2": "2", "C3": "2"}
    assert returns.issues == []


def test_uasc_table_marks_children_and_is_optional(tmp_path, write_903, base_returns):
    base_returns[2024]["uasc"] = [{"CHILD": "C2", "SEX": "F", "DOB": "05/06/2010",
                                   "DUC": "05/06/2028"}]  # fmt: skip
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    uasc = returns.episodes.groupby("child_id")["uasc"].first().to_dict()
    assert uasc == {"C1": False, "C2": True, "C3": False}


# -- whole-input errors -----------------------------------------------------------------------


def test_missing_year_in_the_middle_is_an_input_error(tmp_path, write_903, base_returns):
    base_returns[2022] = base_returns[2023]
    base_returns[2025] = base_returns.pop(2024)
    del base_returns[2023]
    with pytest.raises(InputError, match=r"no returns for collection year 2022-23, 2023-24"):
        load_returns(write_903(tmp_path / "in", base_returns))


def test_missing_episodes_table_for_a_year_names_the_year(tmp_path, write_903, base_returns):
    del base_returns[2024]["episodes"]
    with pytest.raises(InputError, match=r"collection year 2023-24: no episodes table"):
        load_returns(write_903(tmp_path / "in", base_returns))


def test_empty_folder_is_an_input_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no SSDA903 header or episodes tables found"):
        load_returns(tmp_path / "empty")


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        load_returns(tmp_path / "nowhere")


def test_missing_model_column_names_the_file_and_column(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns, drop_columns=("PLACE",))
    with pytest.raises(InputError, match=r"2023/episodes.csv: the episodes table has no PLACE"):
        load_returns(root)


def test_file_without_a_year_is_an_input_error(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns)
    shutil.copy(root / "2023" / "header.csv", root / "header.csv")
    with pytest.raises(InputError, match=r"header.csv: cannot tell which collection year"):
        load_returns(root)


def test_other_903_tables_are_ignored_with_a_note(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns)
    pd.DataFrame(
        {"CHILD": ["C1"], "DOB": ["01/02/2015"], "REVIEW": ["01/03/2023"], "REVIEW_CODE": ["PN1"]}
    ).to_csv(root / "2023" / "reviews.csv", index=False)
    returns = load_returns(root)
    assert [(i.file, i.rule) for i in returns.issues] == [("2023/reviews.csv", "ignored-file")]
    assert len(returns.episodes) == 4


# -- bad rows: reported with file, row and child; never a crash --------------------------------


def test_unparseable_dob_drops_the_child_and_says_where(tmp_path, write_903, base_returns):
    base_returns[2023]["header"][1]["DOB"] = "31/13/2008"  # C3, row 3 of 2023/header.csv
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    [issue] = returns.issues
    assert (issue.file, issue.row, issue.child_id, issue.column, issue.rule) == (
        "2023/header.csv",
        3,
        "C3",
        "DOB",
        "bad-dob",
    )
    assert "31/13/2008" in issue.message and "dropped" in issue.action
    assert "C3" not in set(returns.episodes["child_id"])
    assert len(returns.episodes) == 3


def test_bad_dob_in_one_year_is_rescued_by_another_year(tmp_path, write_903, base_returns):
    base_returns[2023]["header"][0]["DOB"] = ""  # C1 has a good DOB in 2024
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert [(i.rule, i.row, i.child_id) for i in returns.issues] == [("bad-dob", 2, "C1")]
    assert (returns.episodes["child_id"] == "C1").sum() == 2


def test_impossible_dobs_future_and_after_episode_start(tmp_path, write_903, base_returns):
    base_returns[2024]["header"][1]["DOB"] = "01/01/2030"  # C2 born after the year ends
    base_returns[2023]["header"][1]["DOB"] = "01/06/2022"  # C3 born after entering care
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    found = {(i.child_id, i.rule, i.file, i.row) for i in returns.issues}
    assert found == {("C2", "bad-dob", "2024/header.csv", 3),
                     ("C3", "bad-dob", "2023/episodes.csv", 4)}  # fmt: skip
    assert set(returns.episodes["child_id"]) == {"C1"}


def test_unknown_codes_are_reported_and_kept(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"][1].update(PLACE="ZZ", LS="Q9", RNE="X")
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    found = sorted((i.column, i.rule, i.row, i.child_id) for i in returns.issues)
    assert found == [("LS", "unknown-code", 3, "C2"), ("PLACE", "unknown-code", 3, "C2"),
                     ("RNE", "unknown-code", 3, "C2")]  # fmt: skip
    row = returns.episodes[returns.episodes["child_id"] == "C2"].iloc[0]
    assert (row["place"], row["ls"], row["rne"]) == ("ZZ", "Q9", "X")


def test_dec_before_decom_is_ended_at_the_next_start(tmp_path, write_903, base_returns):
    # C1's first episode: DEC before DECOM; the next episode starts 01/09/2022.
    base_returns[2023]["episodes"][0]["DEC"] = "01/01/2022"
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    [issue] = returns.issues
    assert (issue.rule, issue.file, issue.row, issue.child_id) == (
        "end-before-start",
        "2023/episodes.csv",
        2,
        "C1",
    )
    assert issue.action == "episode end set to the next episode's start"
    assert returns.episodes.iloc[0]["end"] == pd.Timestamp("2022-09-01")


def test_dec_before_decom_on_the_last_episode_leaves_it_open(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"][1].update(DEC="01/12/2023", REC="E4A")
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    [issue] = returns.issues
    assert issue.rule == "end-before-start" and issue.child_id == "C2" and issue.row == 3
    c2 = returns.episodes[returns.episodes["child_id"] == "C2"].iloc[0]
    assert pd.isna(c2["end"]) and c2["rec"] == ""


def test_overlapping_episodes_end_at_the_next_start(tmp_path, write_903, base_returns):
    base_returns[2023]["episodes"][0]["DEC"] = "01/10/2022"  # past the next DECOM 01/09/2022
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    [issue] = returns.issues
    assert (issue.rule, issue.row, issue.child_id, issue.column) == ("overlap", 2, "C1", "DEC")
    assert returns.episodes.iloc[0]["end"] == pd.Timestamp("2022-09-01")


def test_decom_after_the_collection_end_drops_the_row(tmp_path, write_903, base_returns):
    base_returns[2023]["episodes"].append(
        {**base_returns[2023]["episodes"][2], "DECOM": "01/05/2023", "DEC": "", "REC": ""}
    )
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    [issue] = returns.issues
    assert (issue.rule, issue.file, issue.row, issue.child_id) == (
        "start-after-collection",
        "2023/episodes.csv",
        5,
        "C3",
    )
    assert issue.action == "row dropped"
    assert len(returns.episodes) == 4


def test_unparseable_decom_drops_the_row_and_bad_dec_leaves_it_open(tmp_path, write_903,
                                                                     base_returns):  # fmt: skip
    base_returns[2024]["episodes"][1]["DECOM"] = "soon"
    base_returns[2023]["episodes"][2]["DEC"] = "20/20/2022"
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    found = sorted((i.rule, i.column, i.file, i.row, i.child_id) for i in returns.issues)
    assert found == [
        ("bad-date", "DEC", "2023/episodes.csv", 4, "C3"),
        ("bad-date", "DECOM", "2024/episodes.csv", 3, "C2"),
        ("open-not-latest", "DEC", "2023/episodes.csv", 4, "C3"),
    ]
    c3 = returns.episodes[returns.episodes["child_id"] == "C3"].iloc[0]
    # Open in 2022-23 and absent from 2023-24: ended at 31 March 2023.
    assert c3["end"] == pd.Timestamp("2023-03-31")
    assert "C2" not in set(returns.episodes["child_id"])


def test_dec_after_the_collection_end_is_treated_as_open(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"][1].update(DEC="01/06/2024", REC="E4A")
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert [(i.rule, i.row) for i in returns.issues] == [("end-after-collection", 3)]
    assert pd.isna(returns.episodes.iloc[2]["end"])


def test_duplicate_episode_keeps_the_later_row(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"].append({**base_returns[2024]["episodes"][1], "PLACE": "U4"})
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert [(i.rule, i.row, i.child_id) for i in returns.issues] == [("duplicate", 3, "C2")]
    assert returns.episodes.iloc[2]["place"] == "U4"


def test_episodes_without_a_header_are_dropped_once_per_child(tmp_path, write_903,
                                                              base_returns):  # fmt: skip
    base_returns[2024]["episodes"].append(
        {**base_returns[2024]["episodes"][1], "CHILD": "C9", "DECOM": "02/02/2024"}
    )
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert [(i.rule, i.child_id, i.row) for i in returns.issues] == [("no-header", "C9", 4)]
    assert "C9" not in set(returns.episodes["child_id"])


def test_garbage_everywhere_never_crashes(tmp_path, write_903, base_returns):
    for tables in base_returns.values():
        for row in tables["episodes"]:
            row.update(DECOM="x", DEC="y", PLACE="", LS="??")
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert returns.episodes.empty
    assert list(returns.episodes.columns) == EPISODE_COLUMNS
    assert {i.rule for i in returns.issues} == {"bad-date"}


# -- generated data goes through cleanly -------------------------------------------------------


def test_generated_returns_load_without_issues(tmp_path):
    from csplan.demand.synthetic import generate, write_returns

    data = generate(400, years=3, last_year=2025, seed=2)
    write_returns(tmp_path / "gen", returns=data)
    returns = load_returns(tmp_path / "gen")
    assert returns.issues == []
    assert returns.years == [2023, 2024, 2025]
    eps = returns.episodes
    open_on_last_day = eps[eps["end"].isna()]
    assert len(open_on_last_day) == len(data.episodes[2025].query("DEC == ''"))
    assert eps.groupby("child_id")["start"].is_monotonic_increasing.all()
    ends = eps.groupby("child_id")["end"].shift(1)
    assert ((ends.isna()) | (ends <= eps["start"])).all()


def test_years_out_of_range_are_bad_dates_not_a_crash(tmp_path, write_903, base_returns):
    base_returns[2023]["header"][1]["DOB"] = "10/10/0208"
    base_returns[2024]["episodes"][1]["DEC"] = "01/01/9999"
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    found = sorted((i.rule, i.child_id, i.column) for i in returns.issues)
    assert found == [("bad-date", "C2", "DEC"), ("bad-dob", "C3", "DOB")]


def test_blank_lines_do_not_shift_row_numbers(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"][1]["PLACE"] = "ZZ"
    root = write_903(tmp_path / "in", base_returns)
    path = root / "2024" / "episodes.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], ",,,,,,,,,,,,", "", lines[2], ""]) + "\n")
    returns = load_returns(root)
    [issue] = returns.issues
    assert (issue.rule, issue.row, issue.child_id) == ("unknown-code", 5, "C2")
    assert returns.episodes.iloc[2]["source_row"] == 5


def test_lower_case_columns_and_a_byte_order_mark(tmp_path, write_903, base_returns):
    reference = load_returns(write_903(tmp_path / "ref", base_returns)).data_hash
    root = write_903(tmp_path / "in", base_returns)
    for path in root.rglob("*.csv"):
        header, rest = path.read_text().split("\n", 1)
        path.write_bytes(("\ufeff" + header.lower() + "\n" + rest).encode("utf-8"))
    assert load_returns(root).data_hash == reference


def test_one_workbook_per_year_with_a_sheet_per_table(tmp_path, write_903, base_returns):
    reference = load_returns(write_903(tmp_path / "ref", base_returns)).data_hash
    root = tmp_path / "books"
    root.mkdir()
    for year, tables in base_returns.items():
        with pd.ExcelWriter(root / f"SSDA903_{year}.xlsx") as writer:
            for name, rows in tables.items():
                frame = pd.DataFrame(rows, dtype=object).fillna("")
                frame.to_excel(writer, sheet_name=name.title(), index=False)
    returns = load_returns(root)
    assert returns.data_hash == reference
    assert returns.episodes.iloc[1]["source_file"] == "SSDA903_2024.xlsx[Episodes]"


def test_closed_episode_without_rec_and_rec_without_dec(tmp_path, write_903, base_returns):
    base_returns[2023]["episodes"][2]["REC"] = ""  # C3 leaves on 20/12/2022 with no reason
    base_returns[2024]["episodes"][1]["REC"] = "E4A"  # C2 still open
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    found = sorted((i.rule, i.column, i.child_id, i.row) for i in returns.issues)
    assert found == [("missing-code", "REC", "C3", 4), ("rec-without-dec", "REC", "C2", 3)]
    assert returns.episodes.iloc[2]["rec"] == ""


def test_episode_starting_after_the_18th_birthday_is_dropped(tmp_path, write_903, base_returns):
    base_returns[2023]["header"][1]["DOB"] = "10/04/2004"  # C3 is 18 on 10/04/2022
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert [(i.rule, i.child_id, i.row) for i in returns.issues] == [("start-after-18", "C3", 4)]
    assert "C3" not in set(returns.episodes["child_id"])


def test_an_empty_episodes_file_is_named_in_the_error(tmp_path, write_903, base_returns):
    root = write_903(tmp_path / "in", base_returns)
    (root / "2024" / "episodes.csv").write_text("")
    with pytest.raises(InputError, match=r"2023-24: no episodes table .*empty: 2024/episodes.csv"):
        load_returns(root)


def test_a_year_with_no_episodes_rows_is_fine(tmp_path, write_903, base_returns):
    base_returns[2023]["episodes"] = []
    returns = load_returns(write_903(tmp_path / "in", base_returns))
    assert returns.years == [2023, 2024]
    assert len(returns.episodes) == 2
