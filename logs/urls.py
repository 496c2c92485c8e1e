from django.urls import path

from logs import views

app_name = "logs"

urlpatterns = [
    path("log/", views.quick_log, name="quick-log"),
    path("log/same/", views.same_as_last, name="same-as-last"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("account/export/", views.account_export, name="account-export"),
    path("account/import/", views.account_import, name="account-import"),
    path("account/email/", views.account_email, name="account-email"),
    path("account/delete/", views.account_delete, name="account-delete"),
    path("summary/", views.summary_page, name="summary"),
    path("summary/pdf/", views.summary_pdf, name="summary-pdf"),
    path("summary/csv/<slug:what>/", views.summary_csv, name="summary-csv"),
    path("summary/fhir/", views.summary_fhir, name="summary-fhir"),
    path("episodes/", views.episode_list, name="episode-list"),
    path("episodes/new/", views.episode_new, name="episode-new"),
    path("episodes/<id:pk>/", views.episode_edit, name="episode-edit"),
    path("episodes/<id:pk>/delete/", views.episode_delete, name="episode-delete"),
    path("checkins/", views.checkin_list, name="checkin-list"),
    path("checkins/new/", views.checkin_new, name="checkin-new"),
    path("checkins/<id:pk>/", views.checkin_edit, name="checkin-edit"),
    path("checkins/<id:pk>/delete/", views.checkin_delete, name="checkin-delete"),
    path("medicines/", views.medicine_list, name="medicine-list"),
    path("medicines/new/", views.medicine_new, name="medicine-new"),
    path("medicines/<id:pk>/", views.medicine_edit, name="medicine-edit"),
    path("medicines/<id:pk>/delete/", views.medicine_delete, name="medicine-delete"),
]
