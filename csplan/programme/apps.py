from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "csplan.programme"
    verbose_name = "Savings programme"
    default_auto_field = "django.db.models.BigAutoField"
