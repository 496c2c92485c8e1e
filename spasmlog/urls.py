from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import URLPattern, include, path, register_converter, reverse

from spasmlog import health, views
from spasmlog.converters import IdConverter

# Before the apps' URLs, which use it.
register_converter(IdConverter, "id")


class HttpResponsePermanentRedirectKeepingMethod(HttpResponseRedirect):
    status_code = 308


def moved(old: str, name: str) -> URLPattern:
    """The path `old` has moved to the route `name`: a permanent redirect that keeps the method and the query."""

    def view(request, **kwargs):
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirectKeepingMethod(reverse(name, kwargs=kwargs) + (f"?{query}" if query else ""))

    return path(old, view, name=f"moved-{name}")


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("logs.urls")),
    path("", include("reports.urls")),
    path("", include("sharing.urls")),
    path("reminders/", include("reminders.urls")),
    # Addresses of account pages from before they all moved under /accounts/.
    moved("account/export/", "account-export"),
    moved("account/import/", "account-import"),
    moved("account/email/", "account-email"),
    moved("account/delete/", "account-delete"),
    moved("clinicians/signup/", "clinician-signup"),
    moved("clinicians/signup/confirm/<str:token>/", "clinician-confirm"),
    moved("clinicians/two-step/", "two-step-setup"),
    moved("clinicians/verify/", "two-step-verify"),
]
