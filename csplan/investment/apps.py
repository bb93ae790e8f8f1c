from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "csplan.investment"
    verbose_name = "Invest to save"
    default_auto_field = "django.db.models.BigAutoField"
