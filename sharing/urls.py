from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    # The patient's side.
    path("shares/", views.share_list, name="share-list"),
    path("shares/new/", views.share_new, name="share-new"),
    path("shares/link/", views.share_link_made, name="share-link-made"),
    path("shares/<id:pk>/revoke/", views.share_revoke, name="share-revoke"),
    # The clinician's side.
    path("clinicians/signup/", views.clinician_signup, name="clinician-signup"),
    path("clinicians/signup/confirm/<str:token>/", views.clinician_confirm, name="clinician-confirm"),
    path("clinicians/two-step/", views.two_step_setup, name="two-step-setup"),
    path("clinicians/verify/", views.two_step_verify, name="two-step-verify"),
    path("clinicians/", views.clinician_home, name="clinician-home"),
    path("clinicians/shares/<id:pk>/accept/", views.share_accept, name="share-accept"),
    path("clinicians/shares/<id:pk>/", views.clinician_share, name="clinician-share"),
    path("clinicians/shares/<id:pk>/pdf/", views.clinician_share_pdf, name="clinician-share-pdf"),
    path("clinicians/shares/<id:pk>/csv/<slug:what>/", views.clinician_share_csv, name="clinician-share-csv"),
    path("clinicians/shares/<id:pk>/fhir/", views.clinician_share_fhir, name="clinician-share-fhir"),
    path("clinicians/shares/<id:pk>/note/", views.share_note, name="share-note"),
    # A link, for a clinician without an account.
    path("s/<str:token>/", views.link_share, name="link"),
    path("s/<str:token>/pdf/", views.link_share_pdf, name="link-pdf"),
    path("s/<str:token>/csv/<slug:what>/", views.link_share_csv, name="link-csv"),
    path("s/<str:token>/fhir/", views.link_share_fhir, name="link-fhir"),
]
