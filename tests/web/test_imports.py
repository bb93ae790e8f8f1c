"""Importing a council's own spreadsheet in the browser (issue 13, item 2): upload, map the
columns, preview every line and every problem, import all or nothing, recorded; the mapping is
remembered; csplan's own workbook re-imports unchanged from the web as from the CLI."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csplan.accounts.demo import load_role_users
from csplan.accounts.users import set_role
from csplan.core.periods import FinancialYear
from csplan.programme.io import programme_file_bytes
from csplan.programme.io.importing import import_programme_file
from csplan.programme.models import ImportMapping, SavingsLine
from csplan.programme.store import programme_figures, save_programme
from csplan.programme.synthetic_tracker import (
    GOOD_ROWS,
    SHEET,
    tracker_csv,
    tracker_figures,
    tracker_xlsx,
)

pytestmark = pytest.mark.django_db
PASSWORD = "a-demo-password-for-tests"
MAPPING = {
    "sheet": SHEET,
    "header_row": "3",
    "reference": "Saving Ref",
    "title": "Saving Title",
    "workstream": "Theme",
    "sro_role": "Lead Officer",
    "fte": "FTE",
    "recurrence": "One-off / Recurrent",
    "year_columns": ["2024/25", "2025-26", "26/27"],
    "unit": "£",
    "form": "cumulative",
    "new_line_workstream": "",
}


@pytest.fixture(autouse=True)
def _quick(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path


@pytest.fixture
def plan():
    return save_programme(tracker_figures())


@pytest.fixture
def people(plan):
    users = load_role_users(plan, PASSWORD)
    admin = get_user_model().objects.create_user("council-admin", password=PASSWORD)
    set_role(admin, "admin")
    return {**users, "admin": admin}


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(plan, rest: str = "") -> str:
    return f"/plans/{plan.slug}/import/{rest}"


def _upload(client: Client, plan, data: bytes, name: str = "tracker.xlsx"):
    return client.post(_url(plan), {"file": SimpleUploadedFile(name, data)})


def _mapped(client: Client, plan, data: bytes):
    _upload(client, plan, data)
    return client.post(_url(plan, "mapping/"), MAPPING)


def test_viewer_and_sro_cannot_import(plan, people):
    for name in ("viewer", "sro"):
        assert _as(people[name]).get(_url(plan)).status_code == 403
        assert _upload(_as(people[name]), plan, tracker_xlsx()).status_code == 403


def test_upload_goes_to_the_mapping_with_the_columns_guessed(plan, people):
    client = _as(people["finance"])
    response = _upload(client, plan, tracker_xlsx())
    assert response.status_code == 302 and response["Location"].endswith("/import/mapping/")
    page = client.get(_url(plan, "mapping/"))
    assert page.status_code == 200
    form = page.context["form"]
    assert page.context["sheet"] == SHEET and page.context["header_row"] == 3
    assert form.initial["reference"] == "Saving Ref"
    assert form.initial["year_columns"] == ["2024/25", "2025-26", "26/27"]


def test_preview_lists_every_problem_and_writes_nothing(plan, people):
    client = _as(people["finance"])
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][4] = "forty thousand"
    _mapped(client, plan, tracker_xlsx(rows))
    page = client.get(_url(plan, "preview/"))
    assert page.status_code == 400
    assert [str(p) for p in page.context["problems"]] == [
        "tracker.xlsx, sheet 'Savings Tracker', row 5, column '2024/25 (E)': "
        "'forty thousand' is not an amount in £"
    ]
    assert "There is a problem" not in page.content.decode()  # its own summary, titled
    assert "nothing has been imported" in page.content.decode()
    shown = {number: problems for number, _, problems in page.context["sheet_rows"]}
    assert shown == {
        4: [],
        5: ["2024/25 (E): 'forty thousand' is not an amount in £"],
        6: [],
        7: [],
    }
    refused = client.post(_url(plan, "preview/"))
    assert refused.status_code == 400
    assert not SavingsLine.objects.filter(plan=plan).exists()
    assert not ImportMapping.objects.filter(plan=plan).exists()


def test_fix_and_reupload_imports_every_line_exactly_and_recorded(plan, people):
    client = _as(people["finance"])
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][4] = "forty thousand"
    _mapped(client, plan, tracker_xlsx(rows))
    assert client.get(_url(plan, "preview/")).status_code == 400
    _upload(client, plan, tracker_xlsx())  # the corrected file; the mapping is kept
    page = client.get(_url(plan, "mapping/"))
    assert page.context["form"].initial["form"] == "cumulative"
    client.post(_url(plan, "mapping/"), MAPPING)
    preview = client.get(_url(plan, "preview/"))
    assert preview.status_code == 200
    assert [row["status"] for row in preview.context["rows"]] == ["Added"] * 3
    assert preview.context["rows"][0]["amounts"] == ["125,000.50", "174,999.50", "0.00"]
    done = client.post(_url(plan, "preview/"))
    assert done.status_code == 302
    lines = {line.reference: line for line in programme_figures(plan).lines}
    assert list(lines) == ["NS-01", "NS-02", "NS-03"]
    assert lines["NS-01"].phasing == {
        FinancialYear(2024): Decimal("125000.50"),
        FinancialYear(2025): Decimal("174999.50"),
    }
    assert lines["NS-02"].phasing[FinancialYear(2024)] == Decimal("40000.25")
    assert {line.lifecycle for line in lines.values()} == {"proposed"}
    stored = SavingsLine.objects.get(plan=plan, reference="NS-01")
    record = stored.history.latest()
    assert record.history_user == people["finance"]
    assert record.history_change_reason == "Imported tracker.xlsx in the browser"


def test_mapping_is_remembered_for_the_next_upload(plan, people):
    client = _as(people["finance"])
    _mapped(client, plan, tracker_xlsx())
    client.post(_url(plan, "preview/"))
    remembered = ImportMapping.objects.get(plan=plan).mapping
    assert remembered["columns"]["reference"] == "Saving Ref"
    assert remembered["unit"] == "£" and remembered["form"] == "cumulative"
    other = _as(people["admin"])  # another officer, next month
    _upload(other, plan, tracker_xlsx())
    initial = other.get(_url(plan, "mapping/")).context["form"].initial
    assert initial["recurrence"] == "One-off / Recurrent"
    assert initial["unit"] == "£" and initial["form"] == "cumulative"


def test_csplan_workbook_reimports_unchanged_from_web_and_cli(plan, people, tmp_path):
    client = _as(people["finance"])
    _mapped(client, plan, tracker_xlsx())
    client.post(_url(plan, "preview/"))
    before = programme_figures(plan)
    exported = programme_file_bytes(before, ".xlsx")
    response = _upload(client, plan, exported, "programme.xlsx")
    assert response["Location"].endswith("/import/preview/")
    preview = client.get(_url(plan, "preview/"))
    assert preview.status_code == 200
    assert not preview.context["summary"].changed
    client.post(_url(plan, "preview/"))
    assert programme_figures(plan) == before
    path = tmp_path / "programme.xlsx"
    path.write_bytes(exported)
    assert not import_programme_file(path).changed
    assert programme_figures(plan) == before


def test_another_plans_workbook_is_refused(plan, people):
    other = save_programme(replace(tracker_figures(), plan="Other"))
    exported = programme_file_bytes(programme_figures(other), ".xlsx")
    client = _as(people["finance"])
    _upload(client, plan, exported, "other.xlsx")
    page = client.get(_url(plan, "preview/"))
    assert page.status_code == 400
    assert "the workbook is the plan Northshire County Council: Other" in page.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_upload(plan, people):
    response = _upload(_as(people["finance"]), plan, b"not a workbook", "tracker.xlsx")
    assert response.status_code == 400
    assert response.context["errors"][0][1].startswith("tracker.xlsx: ")


def test_a_csv_tracker_in_thousands_imports_exactly(plan, people):
    rows = [[*row[:4], "125.0005", "300", "300", *row[7:]] for row in GOOD_ROWS[:1]]
    client = _as(people["finance"])
    _upload(client, plan, tracker_csv(rows), "tracker.csv")
    page = client.get(_url(plan, "mapping/"))
    assert page.context["sheets"] == ["CSV"]
    client.post(_url(plan, "mapping/"), {**MAPPING, "sheet": "CSV", "unit": "£'000"})
    assert client.post(_url(plan, "preview/")).status_code == 302
    [line] = programme_figures(plan).lines
    assert line.phasing == {
        FinancialYear(2024): Decimal("125000.50"),
        FinancialYear(2025): Decimal("174999.50"),
    }


def test_upload_is_checked_by_the_file_limits_before_parsing(plan, people, settings):
    settings.CSPLAN_MAX_WORKBOOK_CELLS = 10
    response = _upload(_as(people["finance"]), plan, tracker_xlsx())
    assert response.status_code == 400
    [(_, message)] = response.context["errors"]
    assert message.startswith("tracker.xlsx: ") and "10" in message
    stored = settings.DATA_DIR / "imports"
    assert not stored.exists() or not any(stored.iterdir())  # nothing kept
