from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "csplan.web"
    verbose_name = "Web app"
