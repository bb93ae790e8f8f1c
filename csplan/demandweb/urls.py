from django.urls import path

from csplan.demandweb import views

app_name = "demandweb"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/validation/", views.validation, name="validation"),
    path("datasets/<int:pk>/validation/dfe/", views.run_validator, name="run_validator"),
    path("datasets/<int:pk>/forecast/", views.forecast, name="forecast"),
    path("datasets/<int:pk>/costs/", views.costs, name="costs"),
    path("datasets/<int:pk>/compare/", views.compare, name="compare"),
    path("datasets/<int:pk>/attach/", views.attach, name="attach"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("evidence/<int:pk>/rerun/", views.rerun, name="rerun"),
]
