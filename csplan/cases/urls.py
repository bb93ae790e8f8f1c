from django.urls import path

from csplan.cases import views

app_name = "cases"

# Three separate prefixes, so the menu marks one item (Business cases, Equality, Decisions).
urlpatterns = [
    path("business/", views.index, name="index"),
    path("business/<int:line_pk>/", views.case_detail, name="case"),
    path("business/<int:line_pk>/edit/", views.case_edit, name="case_edit"),
    path("business/<int:line_pk>/print/", views.case_print, name="case_print"),
    path("business/<int:line_pk>/case.pdf", views.case_pdf, name="case_pdf"),
    path("equality/", views.equality, name="equality"),
    path("equality/<int:line_pk>/", views.line_equality, name="line_equality"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/consultations/new/", views.consultation_new, name="consultation_new"),
    path(
        "decisions/consultations/<int:pk>/outcome/",
        views.consultation_outcome,
        name="consultation_outcome",
    ),
    path("decisions/status/<int:line_pk>/", views.line_status, name="line_status"),
]
