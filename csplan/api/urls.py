from django.urls import path

from csplan.api import cases, views

app_name = "api"

urlpatterns = [
    path("openapi.json", views.schema, name="schema"),
    path("programme", views.programme, name="programme"),
    path("lines", views.lines, name="lines"),
    path("lines/<id:pk>", views.line_detail, name="line"),
    path("lines/<id:pk>/phasing", views.line_phasing, name="phasing"),
    path("lines/<id:pk>/case", cases.business_case, name="case"),
    path("lines/<id:pk>/equality", cases.equality, name="equality"),
    path("lines/<id:pk>/status", cases.status, name="status"),
    path("decisions", cases.decisions, name="decisions"),
]
