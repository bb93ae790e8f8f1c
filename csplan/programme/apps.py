from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProgrammeConfig(AppConfig):
    name = "csplan.programme"
    verbose_name = "Savings programme"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from csplan.core.cache import create_cache_table

        # The shared cache's table (csplan.core.cache) is made by every migrate: init, tests.
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="csplan-cache-table")
