from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "csplan.monitoring"
    verbose_name = "Monthly monitoring"
    default_auto_field = "django.db.models.BigAutoField"
