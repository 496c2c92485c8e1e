"""Everything about a person's account, under /accounts/. Django's sign-in and password pages keep their own names."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import PasswordChangeForm, PasswordResetForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup-sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("clinicians/signup/", views.clinician_signup, name="clinician-signup"),
    path("clinicians/signup/confirm/<str:token>/", views.clinician_confirm, name="clinician-confirm"),
    path("two-step/", views.two_step_setup, name="two-step-setup"),
    path("two-step/verify/", views.two_step_verify, name="two-step-verify"),
    path("email/", views.account_email, name="account-email"),
    path("export/", views.account_export, name="account-export"),
    path("import/", views.account_import, name="account-import"),
    path("delete/", views.account_delete, name="account-delete"),
    # Django's views with the project's forms, before Django's own URLs of the same names.
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
