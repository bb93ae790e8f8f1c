from django.urls import include, path

from csplan.web import converters  # noqa: F401 - registers <id:...> before the patterns load

urlpatterns = [
    path("", include("csplan.web.urls")),
    path("api/", include("csplan.api.urls")),
]
