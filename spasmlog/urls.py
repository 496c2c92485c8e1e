from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from logs import views
from logs.forms import PasswordChangeForm, PasswordResetForm
from spasmlog import health
from spasmlog.converters import IdConverter

# Before the apps' URLs, which use it.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/sent/", views.signup_sent, name="signup-sent"),
    path("accounts/signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    # Django's views with the project's forms, before Django's own URLs of the same names.
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("logs.urls")),
    path("", include("sharing.urls")),
]
