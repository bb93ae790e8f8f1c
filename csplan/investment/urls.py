from django.urls import path

from csplan.investment import views

app_name = "investment"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("<int:pk>/case.<str:fmt>", views.case_table, name="case_table"),
    path("<int:pk>/actual/", views.record_actual, name="record_actual"),
    path("<int:pk>/actuals.<str:fmt>", views.actuals_table, name="actuals_table"),
    path("strategy/<int:pk>.<str:fmt>", views.strategy_table, name="strategy_table"),
]
