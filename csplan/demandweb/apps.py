from django.apps import AppConfig


class DemandWebConfig(AppConfig):
    name = "csplan.demandweb"
    label = "demandweb"
    verbose_name = "Demand model"
    default_auto_field = "django.db.models.BigAutoField"
