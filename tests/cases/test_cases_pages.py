"""The business case, equality, decision and status pages, their twins and the PDF."""

import json
import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from csplan.cases.models import BusinessCase, Consultation, Decision, EqualityAssessment
from csplan.cases.store import CaseFigures, RiskFigures, create_business_case
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def case(plan, user):
    figures = CaseFigures(
        title="Early help redesign",
        summary="Bring the early help teams together.",
        sro_role="Assistant Director, Early Help",
        texts={"why": "Demand is rising.", "affected": "Families with children under five"},
        risks=(RiskFigures("Saving not achieved", 3, 4, "Head of Early Help", "Monthly review"),),
    )
    return create_business_case(plan.lines.get(reference="EH1"), figures, user=user)


def _text(response):
    return response.content.decode()


@pytest.mark.parametrize(
    "path", ["/cases/business/", "/cases/equality/", "/cases/decisions/", "/cases/decisions/new/"]
)
def test_pages_need_a_log_in(client, plan, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_index_lists_the_lines_and_their_cases(signed_in, case):
    page = _text(signed_in.get("/cases/business/"))
    assert "1 of 4 lines have a business case." in page
    assert 'View<span class="govuk-visually-hidden"> the business case for EH1' in page
    assert "Write<span" in page


def test_case_page_shows_the_case_and_its_risk_twins(signed_in, case):
    url = f"/cases/business/{case.line_id}/"
    response = signed_in.get(url)
    assert response.status_code == 200
    page = _text(response)
    assert "EH1: Early help redesign" in page
    assert "Families with children under five" in page
    assert "<strong>12</strong>" in page  # 3 × 4
    assert '<td class="govuk-table__cell">officer</td>' in page  # the change history
    data = json.loads(signed_in.get(url + "?format=json").content)
    assert data["rows"][0]["cells"][:4] == ["Saving not achieved", "3", "4", "12"]
    csv = signed_in.get(url + "?format=csv").content.decode()
    assert "Saving not achieved,3,4,12,Head of Early Help,Monthly review" in csv
    savings = json.loads(signed_in.get(url + "?table=savings&format=json").content)
    assert savings["rows"][0]["cells"] == ["Incremental saving", "100", "50", "0"]


def test_a_line_without_a_case_offers_to_write_one(signed_in, plan):
    line = plan.lines.get(reference="TR1")
    response = signed_in.get(f"/cases/business/{line.pk}/")
    assert response.status_code == 404 and "has no business case yet" in _text(response)


def _case_post(**extra):
    data = {
        "title": "Transport routes",
        "summary": "Retender routes.",
        "sro_role": "Head of Transport",
        "why": "Costs are rising.",
        "risk_rows": "0",
        "dependency_rows": "0",
        "risk_1_title": "Providers do not bid",
        "risk_1_likelihood": "2",
        "risk_1_impact": "5",
        "risk_1_owner_role": "Head of Transport",
        "dependency_2_title": "Early help review",
        "dependency_2_line": "EH1",
    }
    return data | extra


def test_write_a_business_case(signed_in, plan, user):
    line = plan.lines.get(reference="TR1")
    url = f"/cases/business/{line.pk}/edit/"
    assert "Write a business case" in _text(signed_in.get(url))
    response = signed_in.post(url, _case_post())
    assert response.status_code == 302 and response.url == f"/cases/business/{line.pk}/"
    case = BusinessCase.objects.get(line=line)
    assert (case.title, case.why, case.version) == ("Transport routes", "Costs are rising.", 1)
    assert [(r.title, r.score) for r in case.risks.all()] == [("Providers do not bid", 10)]
    assert [d.line.reference for d in case.dependencies.all()] == ["EH1"]
    assert case.history.get().history_user == user


def test_business_case_errors_show_the_error_summary(signed_in, plan):
    line = plan.lines.get(reference="TR1")
    url = f"/cases/business/{line.pk}/edit/"
    response = signed_in.post(url, _case_post(title="", risk_1_likelihood="9"))
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert '<a href="#id_title">Enter the project title</a>' in page
    assert '<a href="#id_risk_1_likelihood">Risk 1: enter the likelihood from 1 to 5</a>' in page
    assert not BusinessCase.objects.exists()


def test_edit_a_business_case_with_a_stale_version(signed_in, case):
    url = f"/cases/business/{case.line_id}/edit/"
    page = _text(signed_in.get(url))
    assert 'value="Early help redesign"' in page and 'name="risk_rows" value="1"' in page
    post = _case_post(title="Early help, phase 2", version="1", risk_rows="1")
    post["dependency_2_line"] = "TR1"  # a line cannot depend on itself
    assert signed_in.post(url, post).status_code == 302
    stale = signed_in.post(url, post | {"title": "Older edit"})
    assert stale.status_code == 400 and "was changed by someone else" in _text(stale)
    assert BusinessCase.objects.get().title == "Early help, phase 2"


def test_print_view_and_pdf(signed_in, case, tmp_path):
    page = _text(signed_in.get(f"/cases/business/{case.line_id}/print/"))
    assert "<h1>EH1: Early help redesign</h1>" in page and "Demand is rising." in page
    response = signed_in.get(f"/cases/business/{case.line_id}/case.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "case.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "EH1: Early help redesign" in text
        assert "Saving not achieved" in text
    else:
        assert len(response.content) > 1000


CHARACTERISTICS = (
    "age", "disability", "gender_reassignment", "marriage_civil_partnership",
    "pregnancy_maternity", "race", "religion_belief", "sex", "sexual_orientation",
)  # fmt: skip


def _equality_post(**ratings):
    post = {f"{code}_rating": "not_assessed" for code in CHARACTERISTICS}
    return post | {f"{code}_rating": rating for code, rating in ratings.items()}


def test_equality_page_and_twins(signed_in, plan, user):
    line = plan.lines.get(reference="EH1")
    post = _equality_post(age="adverse", disability="neutral", race="neutral", sex="neutral")
    response = signed_in.post(
        f"/cases/equality/{line.pk}/", post | {"age_mitigation": "Outreach sessions"}
    )
    assert response.status_code == 302
    assert EqualityAssessment.objects.get(line=line, characteristic="age").rating == "adverse"
    page = _text(signed_in.get("/cases/equality/"))
    assert "By workstream" in page
    assert "No characteristic is affected by every workstream." in page
    data = json.loads(signed_in.get("/cases/equality/?table=matrix&format=json").content)
    assert data["rows"][0]["cells"][:4] == ["EH1", "Line EH1", "Early help", "Adverse"]
    workbook = load_workbook(BytesIO(signed_in.get("/cases/equality/?format=xlsx").content))
    rows = [[cell.value for cell in row][:3] for row in workbook.active.iter_rows()]
    assert ["Workstream", "Lines", "Age"] in rows
    assert ["Early help", 2, 1] in rows
    csv = signed_in.get("/cases/equality/?table=workstreams&format=csv").content.decode()
    assert "Early help,2,1,0" in csv
    assert signed_in.get("/cases/equality/?table=nope&format=csv").status_code == 404


def test_equality_errors_save_nothing(signed_in, plan):
    line = plan.lines.get(reference="EH1")
    response = signed_in.post(f"/cases/equality/{line.pk}/", _equality_post(age="adverse"))
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert "Age: An adverse impact needs its mitigation" in page
    assert not EqualityAssessment.objects.exists()


def test_record_a_decision_and_see_the_approved_total(signed_in, plan, user):
    eh1, tr1 = plan.lines.get(reference="EH1"), plan.lines.get(reference="TR1")
    form = _text(signed_in.get(f"/cases/decisions/new/?plan={plan.pk}"))
    assert f'name="amount_{eh1.pk}_2018" value="100"' in form  # the phasing in £'000
    response = signed_in.post(
        "/cases/decisions/new/",
        {
            "plan": plan.pk,
            "body": "cabinet",
            "kind": "approval",
            "date": "6/2/2018",
            "reference": "CAB-2018-02",
            f"line_{eh1.pk}": "on",
            f"amount_{eh1.pk}_2018": "100",
            f"amount_{eh1.pk}_2019": "50",
            f"line_{tr1.pk}": "on",
            f"amount_{tr1.pk}_2018": "30",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.reference, decision.date.isoformat()) == ("CAB-2018-02", "2018-02-06")
    page = _text(signed_in.get(f"/cases/decisions/?plan={plan.pk}"))
    assert "CAB-2018-02" in page
    data = json.loads(signed_in.get("/cases/decisions/?table=approved&format=json").content)
    assert data["rows"][0]["cells"] == ["Approved total", "130", "50", "0"]
    register = signed_in.get("/cases/decisions/?format=csv").content.decode()
    assert "EH1,2018-02-06,Cabinet,CAB-2018-02,Approve savings,100,50," in register


def test_decision_errors_show_the_error_summary(signed_in, plan):
    eh1 = plan.lines.get(reference="EH1")
    response = signed_in.post(
        "/cases/decisions/new/",
        {"plan": plan.pk, "body": "cabinet", "kind": "approval", "date": "31/2/2018",
         f"line_{eh1.pk}": "on", f"amount_{eh1.pk}_2018": "lots"},
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    assert "Date of the decision must be a real date, like 6/2/2018" in page
    assert "Enter the EH1 2018/19 amount in £&#x27;000" in page
    missing = signed_in.post(
        "/cases/decisions/new/",
        {"plan": plan.pk, "body": "cabinet", "kind": "approval", "date": "6/2/2018"},
    )
    assert missing.status_code == 400
    assert "Choose at least one savings line the decision covers" in _text(missing)
    no_reference = signed_in.post(
        "/cases/decisions/new/",
        {"plan": plan.pk, "body": "cabinet", "kind": "approval", "date": "6/2/2018",
         f"line_{eh1.pk}": "on", f"amount_{eh1.pk}_2018": "100"},
    )  # fmt: skip
    assert no_reference.status_code == 400
    assert '<a href="#id_reference">Enter the decision or minute reference</a>' in _text(
        no_reference
    )
    assert not Decision.objects.exists()


def test_record_a_consultation(signed_in, plan):
    eh2 = plan.lines.get(reference="EH2")
    post = {
        "plan": plan.pk,
        "title": "Early help consultation",
        "audience": "public",
        "start_date": "1/3/2018",
        "end_date": "2018-05-31",
        "lines": [str(eh2.pk)],
        "outcome": "reconsider",
    }
    assert signed_in.post("/cases/decisions/consultations/new/", post).status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.outcome == "reconsider" and consultation.end_date.month == 5
    assert "Reconsider" in _text(signed_in.get(f"/cases/decisions/?plan={plan.pk}"))
    bad = signed_in.post(
        "/cases/decisions/consultations/new/", post | {"lines": [], "end_date": "1/1/2018"}
    )
    assert bad.status_code == 400
    page = _text(bad)
    assert '<a href="#id_end_date">The closing date must be on or after the start date</a>' in page
    assert '<a href="#id_lines_0">Choose at least one savings line</a>' in page


def test_status_change_refused_then_allowed(signed_in, plan):
    line = plan.lines.get(reference="EH1")
    url = f"/cases/decisions/status/{line.pk}/"
    page = _text(signed_in.get(url))
    assert "It can move to: consulted, approved, withdrawn." in page
    refused = signed_in.post(url, {"lifecycle": "delivered", "version": line.version})
    assert refused.status_code == 400
    assert (
        '<a href="#id_lifecycle">A line cannot move from proposed to delivered; from proposed it '
        "can move to: consulted, approved, withdrawn</a>"
    ) in _text(refused)
    approve = signed_in.post(url, {"lifecycle": "approved", "version": line.version})
    assert approve.status_code == 400
    assert "Approved needs a decision record" in _text(approve)
    moved = signed_in.post(url, {"lifecycle": "withdrawn", "version": line.version})
    assert moved.status_code == 302 and moved.url == f"/lines/{line.pk}/"
    assert SavingsLine.objects.get(pk=line.pk).lifecycle == "withdrawn"
    stale = signed_in.post(url, {"lifecycle": "proposed", "version": line.version})
    assert stale.status_code == 400 and "was changed by someone else" in _text(stale)


def test_line_page_links_to_the_case_equality_and_decisions(signed_in, case):
    page = _text(signed_in.get(f"/lines/{case.line_id}/"))
    assert "Business case, equality and decisions" in page
    assert f'href="/cases/business/{case.line_id}/"' in page
    assert f'href="/cases/equality/{case.line_id}/"' in page
    assert "Not assessed: 9" in page
    assert "None recorded" in page


def test_record_a_consultation_outcome(signed_in, plan):
    from datetime import date

    from csplan.cases.store import ConsultationFigures, record_consultation

    eh2 = plan.lines.get(reference="EH2")
    consultation = record_consultation(
        plan,
        ConsultationFigures("EH2 consultation", "public", date(2018, 3, 1), date(2018, 5, 31),
                            (eh2.pk,)),
    )  # fmt: skip
    url = f"/cases/decisions/consultations/{consultation.pk}/outcome/"
    page = _text(signed_in.get(url))
    assert "EH2 consultation" in page and f'href="/lines/{eh2.pk}/"' in page
    bad = signed_in.post(url, {"outcome": "maybe"})
    assert bad.status_code == 400 and "There is a problem" in _text(bad)
    done = signed_in.post(url, {"outcome": "amend", "outcome_note": "Fewer sites close"})
    assert done.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.outcome, consultation.outcome_note) == ("amend", "Fewer sites close")


def test_case_page_shows_the_savings_by_year(signed_in, case):
    page = _text(signed_in.get(f"/cases/business/{case.line_id}/"))
    assert "Savings by year (£&#x27;000)" in page or "Savings by year (£'000)" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">100</td>' in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">50</td>' in page


def test_form_errors_name_their_fields(signed_in, plan):
    line = plan.lines.get(reference="EH1")
    status = signed_in.post(f"/cases/decisions/status/{line.pk}/", {"lifecycle": "sideways"})
    page = _text(status)
    assert "Choose the new status from the list" in page
    assert "Reload the page: the form lost the line&#x27;s version" in page
    equality = signed_in.post(f"/cases/equality/{line.pk}/", {"age_rating": "awful"})
    assert "Choose a rating for age from the list" in _text(equality)
    assert "Choose a rating for sexual orientation" in _text(equality)
    consultation = signed_in.post("/cases/decisions/consultations/new/", {"plan": plan.pk})
    assert "Enter what the consultation was about" in _text(consultation)
    assert "Choose the audience" in _text(consultation)
