from django.urls import path

from csplan.benchmark import views

app_name = "benchmark"

urlpatterns = [
    path("", views.benchmark_page, name="page"),
    path("<str:la>/<int:year>.<str:fmt>", views.benchmark_export, name="export"),
    path("<str:la>/<int:year>/gap.<str:fmt>", views.gap_export, name="gap_export"),
    path("<str:la>/<int:year>/gap/use/", views.gap_use, name="gap_use"),
]
