from django.urls import include, path

urlpatterns = [
    path("", include("csplan.web.urls")),
]
