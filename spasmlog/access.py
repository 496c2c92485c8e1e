"""
Who may open a page, and how a view finds a record it may show. Every view
that shows patient data starts with one of these decorators, outermost, and
finds a patient's own record through owned_or_404.
"""

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    # The user model as the type checker's Django plugin sees it (settings.AUTH_USER_MODEL):
    # this module sits below the apps, so it never imports logs.
    from django.contrib.auth.models import _User as User

View = Callable[..., Any]
M = TypeVar("M", bound=models.Model)


class SignedInRequest(HttpRequest):
    """What a view behind login_required or the decorators below is given: someone has signed in."""

    user: "User"


def owned_or_404(model: type[M], request: HttpRequest, pk: int) -> M:
    """The signed-in patient's own record of this kind; anyone else's is 404, as is one that does not exist."""
    return get_object_or_404(model, pk=pk, patient=request.user)


def patient_required(view: View) -> View:
    """Signed in, and a patient: a clinician's account has no diary, so it goes to the clinician's pages."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.is_clinician:
            return redirect("sharing:clinician-home")
        return view(request, *args, **kwargs)

    return wrapper


def patient_json_required(view: View) -> View:
    """
    patient_required for a script's request, which reads JSON and follows no redirect: 401 when
    no one is signed in (the phone keeps what it sent until someone is), 403 for a clinician.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"message": "Signed out: sign in to send this."}, status=401)
        if request.user.is_clinician:
            return JsonResponse({"message": "A clinician's account has no diary."}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def has_second_step(user: "User") -> bool:
    """The account has turned on two-step sign-in (an authenticator app confirmed)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def clinician_required(view: View) -> View:
    """A clinician who has signed in with the second step; patients and others get 404."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_clinician:
            raise Http404("Not a clinician's page.")
        if not request.user.is_verified():
            if not has_second_step(request.user):
                return redirect("two-step-setup")
            return redirect(f"{reverse('two-step-verify')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def second_step_required(view: View) -> View:
    """
    Signed in, before the second step: as a clinician, or as staff, whom the admin asks
    for it too. Staff reach only the second step's pages; clinicians' others stay 404 to them.
    """

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_clinician or request.user.is_staff):
            raise Http404("Not a clinician's page.")
        return view(request, *args, **kwargs)

    return wrapper
