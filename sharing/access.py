"""
How a share is reached: through a clinician's account, or through a link that
may ask for a PIN or the patient's date of birth. The views of sharing and the
downloads of reports both find their share here, and write each look down.
"""

import functools
from datetime import datetime

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from sharing.models import AccessRecord, Protection, Share, Via
from spasmlog.access import SignedInRequest, View
from spasmlog.addresses import client_address
from spasmlog.counters import count, counter_key
from spasmlog.tokens import token_hash

# Unknown links asked for from one address before it must wait.
LINK_MISSES = 20
LINK_MISS_WINDOW = 15 * 60


def record(request: HttpRequest, share: Share, what: str) -> None:
    """Every look at shared data is written down, for the patient to see."""
    viewer = request.user if request.user.is_authenticated else None
    AccessRecord.objects.create(share=share, viewer=viewer, what=what, address=client_address(request))


def open_share(request: SignedInRequest, pk: int) -> Share:
    """A share the signed-in clinician has accepted and may still see; any other is 404."""
    return get_object_or_404(Share.objects.open_to(request.user).select_related("patient"), pk=pk)


class TooMany(Exception):
    """Too many unknown links asked for from one address: it must wait."""


def find_link(request: HttpRequest, token: str) -> Share:
    """The live link share for a token; guessing from one address soon has to wait."""
    misses_key = counter_key("unknown-links-from", str(client_address(request)))
    if cache.get(misses_key, 0) >= LINK_MISSES:
        raise TooMany()
    share = (
        Share.objects.live()
        .filter(via=Via.LINK, token_hash=token_hash(token))
        .select_related("patient", "patient__profile")
        .first()
    )
    if share is None:
        count(misses_key, LINK_MISS_WINDOW)
        raise Http404("No such link, or it has ended.")
    return share


def _session_key(share: Share) -> str:
    return f"sharing-link-open:{share.pk}"


def is_unlocked(request: HttpRequest, share: Share) -> bool:
    return share.protection == Protection.NONE or request.session.get(_session_key(share), False)


def unlock(request: HttpRequest, share: Share) -> None:
    """The right PIN or date of birth was given: this browser's session may open the link."""
    request.session[_session_key(share)] = True


def too_many(request: HttpRequest, until: datetime | None = None) -> HttpResponse:
    return render(request, "sharing/too_many.html", {"until": until}, status=429)


def link_required(view: View) -> View:
    """A view of a link share: the link must be live, and unlocked when it asks for a PIN or date of birth."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            share = find_link(request, token)
        except TooMany:
            return too_many(request)
        if not is_unlocked(request, share):
            return redirect("sharing:link", token=token)
        return view(request, share, *args, **kwargs)

    return never_cache(wrapper)


def wants_appendix(request: HttpRequest, share: Share) -> bool:
    """The appendix when asked for and the share covers it; a query string alone never adds it."""
    return share.covers("appendix") and request.GET.get("appendix") == "on"
