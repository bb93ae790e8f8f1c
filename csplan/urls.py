from django.urls import include, path

urlpatterns = [
    path("", include("csplan.web.urls")),
    path("api/", include("csplan.api.urls")),
]
