"""Every page of the web app, by noun (each module of csplan.web holds one noun's views)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from csplan.web import (
    asat,
    baseline,
    benchmark,
    cases,
    converters,  # noqa: F401 - registers <id:...> for the patterns below
    demand,
    imports,
    investment,
    monitoring,
    pack,
    people,
    plans,
    programme,
    whole_system,
)
from csplan.web.tables import table_paths

_monitoring = [
    path("", monitoring.summary, name="summary"),
    path("table/<slug:name>.<str:fmt>", monitoring.table, name="table"),
    path("movements/", monitoring.movements, name="movements"),
    path("calibrate/", monitoring.calibrate, name="calibrate"),
    path("lines/<id:pk>/", monitoring.line_history, name="line"),
    path("lines/<id:pk>/history.<str:fmt>", monitoring.line_table, name="line_table"),
    path("lines/<id:pk>/record/", monitoring.record, name="record"),
]

_investment = [
    path("", investment.cases, name="cases"),
    path("new/", investment.case_new, name="case_new"),
    path("<id:pk>/edit/", investment.case_edit, name="case_edit"),
    path("<id:pk>/case.<str:fmt>", investment.case_table, name="case_table"),
    path("<id:pk>/actual/", investment.record_actual, name="record_actual"),
    path("<id:pk>/actuals.<str:fmt>", investment.actuals_table, name="actuals_table"),
    path("strategy/<id:pk>.<str:fmt>", investment.strategy_table, name="strategy_table"),
]

_pack = [
    path("", pack.builder, name="builder"),
    path("publish/", pack.publish_pack, name="publish"),
    path("published/<id:pk>.<str:fmt>", pack.published_file, name="published"),
]

_benchmark = [
    path("", benchmark.benchmark_page, name="page"),
    path("<str:la>/<id:year>.<str:fmt>", benchmark.benchmark_export, name="export"),
    path("<str:la>/<id:year>/gap.<str:fmt>", benchmark.gap_export, name="gap_export"),
    path("<str:la>/<id:year>/gap/use/", benchmark.gap_use, name="gap_use"),
]

_demand = [
    *table_paths("", demand.index, "index", stem="datasets"),
    path("upload/", demand.upload, name="upload"),
    *table_paths("datasets/<id:pk>/", demand.dataset_detail, "dataset"),
    *table_paths("datasets/<id:pk>/validation/", demand.validation, "validation"),
    path("datasets/<id:pk>/population/", demand.population, name="population"),
    path("datasets/<id:pk>/validation/dfe/", demand.run_validator, name="run_validator"),
    *table_paths("datasets/<id:pk>/forecast/", demand.forecast, "forecast"),
    *table_paths("datasets/<id:pk>/costs/", demand.costs, "costs"),
    *table_paths("datasets/<id:pk>/compare/", demand.compare, "compare"),
    path("datasets/<id:pk>/attach/", demand.attach, name="attach"),
    *table_paths("scenarios/", demand.scenarios, "scenarios"),
    path("scenarios/new/", demand.scenario_new, name="scenario_new"),
    *table_paths("scenarios/<id:pk>/", demand.scenario_detail, "scenario"),
    *table_paths("evidence/<id:pk>/", demand.evidence, "evidence"),
    path("evidence/<id:pk>/rerun/", demand.rerun, name="rerun"),
    *table_paths("councils/<id:pk>/unit-costs/", demand.unit_costs, "unit_costs"),
]

_cases = [
    path("business/", cases.index, name="index"),
    path("business/<id:line_pk>/", cases.case_detail, name="case"),
    path("business/<id:line_pk>/edit/", cases.case_edit, name="case_edit"),
    path("business/<id:line_pk>/print/", cases.case_print, name="case_print"),
    path("business/<id:line_pk>/case.pdf", cases.case_pdf, name="case_pdf"),
    path("equality/", cases.equality, name="equality"),
    path("equality/<id:line_pk>/", cases.line_equality, name="line_equality"),
    path("decisions/", cases.decisions, name="decisions"),
    path("decisions/new/", cases.decision_new, name="decision_new"),
    path("decisions/consultations/new/", cases.consultation_new, name="consultation_new"),
    path(
        "decisions/consultations/<id:pk>/outcome/",
        cases.consultation_outcome,
        name="consultation_outcome",
    ),
    path("decisions/status/<id:line_pk>/", cases.line_status, name="line_status"),
]

_people = [
    path("", people.people, name="people"),
    path("new/", people.person_new, name="new"),
    path("<id:pk>/", people.person, name="person"),
    path("<id:pk>/role/", people.person_role, name="role"),
    path("<id:pk>/lines/", people.person_lines, name="lines"),
    path("<id:pk>/password/", people.person_password, name="password"),
    path("<id:pk>/tokens/revoke/", people.person_tokens, name="tokens"),
    path("<id:pk>/active/", people.person_active, name="active"),
]

_imports = [
    path("", imports.upload, name="upload"),
    path("mapping/", imports.mapping, name="mapping"),
    path("preview/", imports.preview, name="preview"),
]

urlpatterns = [
    *table_paths("", programme.overview, "overview", stem="overview"),
    path("login/", programme.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", people.own_password, name="own_password"),
    path("people/", include((_people, "people"))),
    *table_paths("plans/", plans.plan_list, "plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("settings/", plans.plan_settings, name="plan_settings"),
    *table_paths("workstreams/", programme.workstreams, "workstreams"),
    *table_paths("proposals/", programme.proposals, "proposals"),
    *table_paths("lines/", programme.lines, "lines"),
    path("lines/new/", programme.line_new, name="line_new"),
    path("lines/<id:pk>/", programme.line_detail, name="line"),
    path("lines/<id:pk>/edit/", programme.line_edit, name="line_edit"),
    path("lines/<id:pk>/as-at/", asat.line_as_at_page, name="line_as_at"),
    path("as-at/", asat.programme_as_at_page, name="as_at"),
    *table_paths("baseline/", baseline.baseline, "baseline"),
    path("monitoring/", include((_monitoring, "monitoring"))),
    path("investment/", include((_investment, "investment"))),
    path("pack/", include((_pack, "pack"))),
    path("benchmark/", include((_benchmark, "benchmark"))),
    path("demand/", include((_demand, "demandweb"))),
    path("cases/", include((_cases, "cases"))),
    path("import/", include((_imports, "imports"))),
    *table_paths("send/", whole_system.send_page, "send"),
    *table_paths("needs/", whole_system.needs_page, "needs"),
]
