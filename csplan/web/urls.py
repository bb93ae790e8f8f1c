from django.contrib.auth import views as auth_views
from django.urls import path

from csplan.web import asat, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workstreams/", views.workstreams, name="workstreams"),
    path("proposals/", views.proposals, name="proposals"),
    path("lines/", views.lines, name="lines"),
    path("lines/new/", views.line_new, name="line_new"),
    path("lines/<int:pk>/", views.line_detail, name="line"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/as-at/", asat.line_as_at_page, name="line_as_at"),
    path("as-at/", asat.programme_as_at_page, name="as_at"),
]
