from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The summary, the dashboard's figures, insights and the downloads: read from the diary, no tables of their own."""

    name = "reports"
    verbose_name = "Reports"
