from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"


class TwoStepAdminConfig(admin_apps.AdminConfig):
    """The admin, with the two-step site as its default: every admin registered (Django's, axes') is behind it."""

    default = False
    default_site = "accounts.sites.TwoStepAdminSite"
