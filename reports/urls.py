from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("summary/", views.summary_page, name="summary"),
    path("summary/pdf/", views.summary_download, {"fmt": "pdf"}, name="summary-pdf"),
    path("summary/csv/<slug:what>/", views.summary_download, {"fmt": "csv"}, name="summary-csv"),
    path("summary/fhir/", views.summary_download, {"fmt": "fhir"}, name="summary-fhir"),
]
