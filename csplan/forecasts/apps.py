from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    name = "csplan.forecasts"
    label = "demandweb"
    verbose_name = "Demand model: stored datasets, scenarios and runs"
    default_auto_field = "django.db.models.BigAutoField"
