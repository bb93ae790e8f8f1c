from django.urls import include, path

urlpatterns = [
    path("", include("csplan.web.urls")),
    path("monitoring/", include("csplan.monitoring.urls")),
    path("investment/", include("csplan.investment.urls")),
    path("pack/", include("csplan.pack.urls")),
    path("benchmark/", include("csplan.benchmark.urls")),
    path("demand/", include("csplan.demandweb.urls")),
]
