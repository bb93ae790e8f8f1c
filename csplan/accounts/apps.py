from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "csplan.accounts"
    label = "accounts"
    verbose_name = "Accounts and permissions"
    default_auto_field = "django.db.models.BigAutoField"
