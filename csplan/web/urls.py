"""Every page of the web app, by noun (each module of csplan.web holds one noun's views)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from csplan.web import (
    asat,
    benchmark,
    cases,
    demand,
    investment,
    monitoring,
    pack,
    programme,
)

_monitoring = [
    path("", monitoring.summary, name="summary"),
    path("table/<slug:name>.<str:fmt>", monitoring.table, name="table"),
    path("movements/", monitoring.movements, name="movements"),
    path("calibrate/", monitoring.calibrate, name="calibrate"),
    path("lines/<int:pk>/", monitoring.line_history, name="line"),
    path("lines/<int:pk>/history.<str:fmt>", monitoring.line_table, name="line_table"),
    path("lines/<int:pk>/record/", monitoring.record, name="record"),
]

_investment = [
    path("", investment.cases, name="cases"),
    path("<int:pk>/case.<str:fmt>", investment.case_table, name="case_table"),
    path("<int:pk>/actual/", investment.record_actual, name="record_actual"),
    path("<int:pk>/actuals.<str:fmt>", investment.actuals_table, name="actuals_table"),
    path("strategy/<int:pk>.<str:fmt>", investment.strategy_table, name="strategy_table"),
]

_pack = [
    path("", pack.builder, name="builder"),
    path("publish/", pack.publish_pack, name="publish"),
    path("published/<int:pk>.<str:fmt>", pack.published_file, name="published"),
]

_benchmark = [
    path("", benchmark.benchmark_page, name="page"),
    path("<str:la>/<int:year>.<str:fmt>", benchmark.benchmark_export, name="export"),
    path("<str:la>/<int:year>/gap.<str:fmt>", benchmark.gap_export, name="gap_export"),
    path("<str:la>/<int:year>/gap/use/", benchmark.gap_use, name="gap_use"),
]

_demand = [
    path("", demand.index, name="index"),
    path("upload/", demand.upload, name="upload"),
    path("datasets/<int:pk>/", demand.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/validation/", demand.validation, name="validation"),
    path("datasets/<int:pk>/validation/dfe/", demand.run_validator, name="run_validator"),
    path("datasets/<int:pk>/forecast/", demand.forecast, name="forecast"),
    path("datasets/<int:pk>/costs/", demand.costs, name="costs"),
    path("datasets/<int:pk>/compare/", demand.compare, name="compare"),
    path("datasets/<int:pk>/attach/", demand.attach, name="attach"),
    path("scenarios/", demand.scenarios, name="scenarios"),
    path("scenarios/new/", demand.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", demand.scenario_detail, name="scenario"),
    path("evidence/<int:pk>/", demand.evidence, name="evidence"),
    path("evidence/<int:pk>/rerun/", demand.rerun, name="rerun"),
]

_cases = [
    path("business/", cases.index, name="index"),
    path("business/<int:line_pk>/", cases.case_detail, name="case"),
    path("business/<int:line_pk>/edit/", cases.case_edit, name="case_edit"),
    path("business/<int:line_pk>/print/", cases.case_print, name="case_print"),
    path("business/<int:line_pk>/case.pdf", cases.case_pdf, name="case_pdf"),
    path("equality/", cases.equality, name="equality"),
    path("equality/<int:line_pk>/", cases.line_equality, name="line_equality"),
    path("decisions/", cases.decisions, name="decisions"),
    path("decisions/new/", cases.decision_new, name="decision_new"),
    path("decisions/consultations/new/", cases.consultation_new, name="consultation_new"),
    path(
        "decisions/consultations/<int:pk>/outcome/",
        cases.consultation_outcome,
        name="consultation_outcome",
    ),
    path("decisions/status/<int:line_pk>/", cases.line_status, name="line_status"),
]

urlpatterns = [
    path("", programme.overview, name="overview"),
    path("login/", programme.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workstreams/", programme.workstreams, name="workstreams"),
    path("proposals/", programme.proposals, name="proposals"),
    path("lines/", programme.lines, name="lines"),
    path("lines/new/", programme.line_new, name="line_new"),
    path("lines/<int:pk>/", programme.line_detail, name="line"),
    path("lines/<int:pk>/edit/", programme.line_edit, name="line_edit"),
    path("lines/<int:pk>/as-at/", asat.line_as_at_page, name="line_as_at"),
    path("as-at/", asat.programme_as_at_page, name="as_at"),
    path("monitoring/", include((_monitoring, "monitoring"))),
    path("investment/", include((_investment, "investment"))),
    path("pack/", include((_pack, "pack"))),
    path("benchmark/", include((_benchmark, "benchmark"))),
    path("demand/", include((_demand, "demandweb"))),
    path("cases/", include((_cases, "cases"))),
]
