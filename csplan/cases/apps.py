from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "csplan.cases"
    verbose_name = "Business cases and decisions"
    default_auto_field = "django.db.models.BigAutoField"
