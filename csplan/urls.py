from django.urls import include, path

urlpatterns = [
    path("", include("csplan.web.urls")),
    path("api/", include("csplan.api.urls")),
    path("monitoring/", include("csplan.monitoring.urls")),
    path("investment/", include("csplan.investment.urls")),
    path("pack/", include("csplan.pack.urls")),
    path("benchmark/", include("csplan.benchmark.urls")),
    path("demand/", include("csplan.demandweb.urls")),
    path("cases/", include("csplan.cases.urls")),
]
