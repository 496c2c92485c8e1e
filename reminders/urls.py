from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_settings, name="settings"),
    path("push/", views.push_subscribe, name="push"),
    path("push/remove/", views.push_unsubscribe, name="push-remove"),
    # The token is a secret: the logs hide it (spasmlog.logging finds routes by the parameter's name).
    path("off/<str:token>/", views.turn_off, name="off"),
]
