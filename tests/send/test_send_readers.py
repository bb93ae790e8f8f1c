import datetime as dt

import pytest

from csplan.demand.annual.series import SeriesFileError
from csplan.demand.send import settings as st
from csplan.demand.send.readers import census_day, read_extract, read_published

pytestmark = []


@pytest.mark.reference
def test_hampshire_plans_by_setting_as_published(hampshire):
    # caseload.csv, 202425, Hampshire: 17,784 plans; mainstream_total 8,191 of which 511 in
    # resourced provision (432 + 79) and no SEN units; special 3,056 + 702 LA/academy and
    # 1,252 + 102 independent/non-maintained; FE 2,948.
    assert hampshire.get("plans", 2025) == 17784
    expected = {
        "mainstream": 7680,
        "resourced": 511,
        "special_maintained": 3758,
        "special_independent": 1354,
        "further_education": 2948,
        "other": 1533,
    }
    assert {g: hampshire.get(st.plans(g), 2025) for g in st.GROUP_KEYS} == expected
    assert sum(expected.values()) == 17784
    assert hampshire.get("plans", 2019) == 8271  # academic year 201819 is January 2019
    assert hampshire.get("new_plans", 2024) == 2634
    assert hampshire.get("requests", 2024) == 3932
    assert hampshire.get("ceased_plans", 2023) == 1345
    # ages 5 to 10 in January 2025: 800 + 785 + 895 + 1,081 + 1,116 + 1,231
    assert hampshire.get(st.plans("all", "5-10"), 2025) == 5908
    assert hampshire.get(st.plans("mainstream", "5-10"), 2025) == 3870


@pytest.mark.reference
def test_a_total_that_repeats_the_regions_is_replaced_by_the_sum_of_settings(ehcp):
    # DfE's newplans.csv gives every Yorkshire and The Humber LA the region's 6,078 for 2022.
    york = ehcp.resolve("York")
    assert york.get("new_plans", 2022) == 100
    assert "region's total (6,078)" in york.note("new_plans", 2022)
    region = ehcp.area(york.region_code)
    assert region.get("new_plans", 2022) == 6078


@pytest.mark.reference
def test_every_la_with_plans_and_its_groups_add_up(ehcp):
    assert len(ehcp.la_codes()) >= 150
    for code in ehcp.la_codes():
        area = ehcp.area(code)
        for year, total in area.series("plans").items():
            parts = [area.get(st.plans(g), year) for g in st.GROUP_KEYS]
            if None not in parts:
                assert sum(parts) >= total or area.get(st.plans("other"), year) == 0, (code, year)


def _caseload(value="120"):
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,"
        "region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,"
        "breakdown,ehcplans,mainstream_total,special_total"
    )
    row = (
        "201819,Academic year,Local authority,E92000001,England,E12000001,North East,"
        f"E06000001,111,Testshire,All EHC plans,All EHC plans,{value},x,x"
    )
    return f"{header}\n{row}\n".encode()


def test_a_bad_figure_names_the_file_row_and_column():
    with pytest.raises(
        SeriesFileError,
        match=r"file caseload.csv, row 2, column 'ehcplans': "
        r"'twelve' is not a whole number",
    ):
        read_published([("caseload.csv", _caseload("twelve"))])


def test_dfe_symbols_are_kept_as_missing_figures_with_a_note():
    figures = read_published([("caseload.csv", _caseload("x"))])
    area = figures.resolve("111")
    assert area.get("plans", 2019) is None
    assert "not available" in area.note("plans", 2019)


def test_a_file_that_is_not_a_release_file_is_refused():
    with pytest.raises(SeriesFileError, match="not a recognised file"):
        read_published([("notes.csv", b"a,b\n1,2\n")])


def test_the_synthetic_files_read_like_dfes(demo_area):
    assert demo_area.name == "Demoshire"
    assert sorted(demo_area.series("plans")) == [2012, 2013, 2014, 2015, 2016]
    assert sorted(demo_area.series("new_plans")) == [2012, 2013, 2014, 2015]
    for year, total in demo_area.series("plans").items():
        assert sum(demo_area.get(st.plans(g), year) for g in st.GROUP_KEYS) == total


EXTRACT = """person_id,date_of_birth,plan_start,plan_end,setting
1,2010-05-01,2019-03-01,,mainstream_la_maintained
2,2008-01-10,2019-06-01,2020-02-01,Special - independent
3,2012-09-09,2020-01-01,,special_maintained
4,01/02/2005,01/09/2019,31/12/2020,FE - general FE and tertiary colleges
"""


def test_a_councils_extract_becomes_january_counts_and_yearly_flows():
    figures = read_extract(
        "sen2.csv", EXTRACT.encode(), la_code="E06000001", as_at=dt.date(2021, 3, 31)
    )
    area = figures.area("E06000001")
    assert census_day(2020) == dt.date(2020, 1, 16)  # the third Thursday
    # January 2020: 1 (mainstream), 2 (independent, ends February), 4 (FE); 3 starts 1 January
    assert area.get("plans", 2020) == 4
    assert area.get(st.plans("special_independent"), 2020) == 1
    assert area.get("plans", 2021) == 2  # 2 and 4 have ended
    assert area.get("new_plans", 2019) == 3 and area.get("new_plans", 2020) == 1
    assert area.get("ceased_plans", 2020) == 2
    assert area.get(st.plans("mainstream", "5-10"), 2020) == 1  # born 2010: aged 9
    assert area.get(st.plans("further_education", "11-15"), 2020) == 1  # aged 14


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("5,2010-01-01,2019-01-01,,a swimming pool", r"row 2, column 'setting': unknown setting"),
        ("5,2010-01-01,2019-01-01,2018-01-01,mainstream", r"column 'plan_end': the plan ends"),
        ("5,2010-01-01,31/02/2019,,mainstream", r"column 'plan_start': '31/02/2019' is not a"),
        ("5,2020-01-01,2019-01-01,,mainstream", r"column 'date_of_birth': born"),
    ],
)
def test_a_bad_extract_row_is_refused_with_where_it_is(row, message):
    text = "person_id,date_of_birth,plan_start,plan_end,setting\n" + row + "\n"
    with pytest.raises(SeriesFileError, match=message):
        read_extract("sen2.csv", text.encode())
