from django.urls import path

from reports.views import clinician_download, link_download
from sharing import views

app_name = "sharing"

urlpatterns = [
    # The patient's side.
    path("shares/", views.share_list, name="share-list"),
    path("shares/new/", views.share_new, name="share-new"),
    path("shares/link/", views.share_link_made, name="share-link-made"),
    path("shares/<id:pk>/revoke/", views.share_revoke, name="share-revoke"),
    # The clinician's side; signing up and the second step are the accounts' pages.
    path("clinicians/", views.clinician_home, name="clinician-home"),
    path("clinicians/shares/<id:pk>/accept/", views.share_accept, name="share-accept"),
    path("clinicians/shares/<id:pk>/", views.clinician_share, name="clinician-share"),
    path("clinicians/shares/<id:pk>/note/", views.share_note, name="share-note"),
    path("clinicians/shares/<id:pk>/pdf/", clinician_download, {"fmt": "pdf"}, name="clinician-share-pdf"),
    path("clinicians/shares/<id:pk>/csv/<slug:what>/", clinician_download, {"fmt": "csv"}, name="clinician-share-csv"),
    path("clinicians/shares/<id:pk>/fhir/", clinician_download, {"fmt": "fhir"}, name="clinician-share-fhir"),
    # A link, for a clinician without an account.
    path("s/<str:token>/", views.link_share, name="link"),
    path("s/<str:token>/pdf/", link_download, {"fmt": "pdf"}, name="link-pdf"),
    path("s/<str:token>/csv/<slug:what>/", link_download, {"fmt": "csv"}, name="link-csv"),
    path("s/<str:token>/fhir/", link_download, {"fmt": "fhir"}, name="link-fhir"),
]
