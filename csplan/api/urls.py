from django.urls import path

from csplan.api import cases, views

app_name = "api"

urlpatterns = [
    path("openapi.json", views.schema, name="schema"),
    path("programme", views.programme, name="programme"),
    path("lines", views.lines, name="lines"),
    path("lines/<int:pk>", views.line_detail, name="line"),
    path("lines/<int:pk>/phasing", views.line_phasing, name="phasing"),
    path("lines/<int:pk>/case", cases.business_case, name="case"),
    path("lines/<int:pk>/equality", cases.equality, name="equality"),
    path("lines/<int:pk>/status", cases.status, name="status"),
    path("decisions", cases.decisions, name="decisions"),
]
