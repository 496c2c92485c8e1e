from django.contrib import admin
from django.urls import include, path

from logs import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("logs.urls")),
    path("", include("sharing.urls")),
]
