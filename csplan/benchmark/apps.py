from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "csplan.benchmark"
    verbose_name = "Benchmarks"
    default_auto_field = "django.db.models.BigAutoField"
