from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    name = "csplan.forecasts"
    label = "demandweb"
    verbose_name = "Demand model: stored datasets, scenarios and runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Temporary copies of uploads (children's records) left by a process that was killed
        # are removed when the next one starts; this process's folder is made for its own.
        from csplan.core.limits import process_temp_dir, remove_stale_temp

        remove_stale_temp()
        process_temp_dir()
