from django.urls import path

from logs import pwa, views

app_name = "logs"

urlpatterns = [
    path("log/", views.quick_log, name="quick-log"),
    path("log/same/", views.same_as_last, name="same-as-last"),
    path("log/sent/", views.quick_log_sent, name="quick-log-sent"),
    path("log/<id:pk>/undo/", views.quick_log_undo, name="quick-log-undo"),
    # At the root, so that the service worker's scope is the whole site.
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline_page, name="offline"),
    path("offline/log/", pwa.offline_quick_log, name="offline-quick-log"),
    path("profile/", views.profile, name="profile"),
    path("episodes/", views.episode_list, name="episode-list"),
    path("episodes/new/", views.episode_new, name="episode-new"),
    path("episodes/<id:pk>/", views.episode_edit, name="episode-edit"),
    path("episodes/<id:pk>/delete/", views.episode_delete, name="episode-delete"),
    path("episodes/<id:pk>/warning/dismiss/", views.episode_warning_dismiss, name="episode-warning-dismiss"),
    path("checkins/", views.checkin_list, name="checkin-list"),
    path("checkins/new/", views.checkin_new, name="checkin-new"),
    path("checkins/<id:pk>/", views.checkin_edit, name="checkin-edit"),
    path("checkins/<id:pk>/delete/", views.checkin_delete, name="checkin-delete"),
    path("medicines/", views.medicine_list, name="medicine-list"),
    path("medicines/new/", views.medicine_new, name="medicine-new"),
    path("medicines/<id:pk>/", views.medicine_edit, name="medicine-edit"),
    path("medicines/<id:pk>/delete/", views.medicine_delete, name="medicine-delete"),
]
