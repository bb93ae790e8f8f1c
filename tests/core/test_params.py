import datetime as dt
from decimal import Decimal

import pytest

from csplan.core.params import ParameterError, parse_parameters

TEXT = """
label: Unit costs
illustrative: true
source: a test
parameters:
  special:
    label: Special schools
    unit: "£ per plan per year"
    source: the file's own
    values:
      "2015-04-01": "21000"
      "2019-04-01": {value: "24,000.50", source: "a later budget"}
  share:
    unit: share of plans
    values: {"2012-04-01": 0.25}
"""


def test_a_value_holds_from_its_date_until_the_next():
    params = parse_parameters(TEXT, "costs.yaml")
    assert params.value("special", dt.date(2015, 4, 1)) == Decimal("21000")
    assert params.value("special", dt.date(2019, 3, 31)) == Decimal("21000")
    assert params.value("special", dt.date(2019, 4, 1)) == Decimal("24000.50")
    assert params.get("special").source_at(dt.date(2020, 1, 1)) == "a later budget"
    assert params.get("special").source_at(dt.date(2016, 1, 1)) == "the file's own"
    assert params.value("share", dt.date(2030, 1, 1)) == Decimal("0.25")  # exact, not a float
    assert params.illustrative and params.label == "Unit costs" and len(params.hash) == 64


def test_a_date_before_the_first_value_names_the_file_parameter_and_dates():
    params = parse_parameters(TEXT, "costs.yaml")
    with pytest.raises(ParameterError, match=r"costs.yaml: .*'special'.*2014-04-01.*2015-04-01"):
        params.value("special", dt.date(2014, 4, 1))
    with pytest.raises(ParameterError, match="no parameter 'missing'"):
        params.value("missing", dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("parameters: {a: {unit: x, values: {'2020-13-01': '1'}}}", "'2020-13-01' is not a date"),
        ("parameters: {a: {unit: x, values: {'2020-01-01': 'ten'}}}", "'ten' is not a number"),
        ("parameters: {a: {unit: x, values: {'2020-01-01': true}}}", "True is not a number"),
        ("parameters: {a: {values: {'2020-01-01': '1'}}}", "needs 'unit'"),
        ("parameters: {a: {unit: x, values: {}}}", "must map dates to values"),
        ("label: nothing", "expected a mapping with 'parameters'"),
    ],
)
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_parameters(text, "bad.yaml")


def test_require_checks_keys_and_units():
    params = parse_parameters(TEXT, "costs.yaml")
    params.require(["special"], "£ per plan per year")
    with pytest.raises(ParameterError, match="no value for other"):
        params.require(["special", "other"])
    with pytest.raises(ParameterError, match="share must be in '£ per plan per year'"):
        params.require(["share"], "£ per plan per year")
