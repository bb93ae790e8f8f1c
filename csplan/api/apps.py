from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "csplan.api"
    label = "api"
    verbose_name = "JSON API"
