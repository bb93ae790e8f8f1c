from django.apps import AppConfig


class PackConfig(AppConfig):
    name = "csplan.pack"
    verbose_name = "Committee pack"
    default_auto_field = "django.db.models.BigAutoField"
