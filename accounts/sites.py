from typing import Any

import django_otp
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp.admin import OTPAdminSite


class TwoStepAdminSite(OTPAdminSite):
    """
    The admin opens only to staff who signed in with the second step, as clinicians'
    pages do; until then it shows its sign-in form, which asks for the code too.
    Staff without an authenticator are sent to set one up first.
    """

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not django_otp.user_has_device(user):
            return redirect("two-step-setup")
        return super().login(request, extra_context)
