from django.urls import path

from csplan.pack import views

app_name = "pack"

urlpatterns = [
    path("", views.builder, name="builder"),
    path("publish/", views.publish_pack, name="publish"),
    path("published/<int:pk>.<str:fmt>", views.published_file, name="published"),
]
