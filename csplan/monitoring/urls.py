from django.urls import path

from csplan.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("table/<slug:name>.<str:fmt>", views.table, name="table"),
    path("movements/", views.movements, name="movements"),
    path("calibrate/", views.calibrate, name="calibrate"),
    path("lines/<int:pk>/", views.line_history, name="line"),
    path("lines/<int:pk>/history.<str:fmt>", views.line_table, name="line_table"),
    path("lines/<int:pk>/record/", views.record, name="record"),
]
