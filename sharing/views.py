from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit import trail
from reports.summary import clinician_glance
from reports.views import render_summary, summary_downloads
from sharing import access
from sharing.forms import NoteForm, SecretForm, ShareForm
from sharing.models import AccessRecord, Note, Share, Via
from spasmlog.access import clinician_required, owned_or_404, patient_required
from spasmlog.tokens import token_hash

NEW_LINK_SESSION_KEY = "sharing-new-link"


# The patient's side.


@patient_required
@never_cache
def share_list(request):
    shares = list(Share.objects.filter(patient=request.user).select_related("clinician__clinician"))
    now = timezone.now()
    for share in shares:
        share.current_state = share.state(now)
    accesses = AccessRecord.objects.filter(share__patient=request.user).select_related("viewer", "share")[:200]
    notes = Note.objects.filter(share__patient=request.user).select_related("author").order_by("-created_at")[:50]
    return render(request, "sharing/share_list.html", {"shares": shares, "accesses": accesses, "notes": notes})


@patient_required
def share_new(request):
    form = ShareForm(request.POST or None, patient=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        share, token = form.make_share(request.user.zone)
        with transaction.atomic():
            share.save()
            trail.record(request, "shared", share)
        if token:
            request.session[NEW_LINK_SESSION_KEY] = token
            return redirect("sharing:share-link-made")
        messages.success(
            request, f"Shared with {share.clinician}. They see it once they accept; you can revoke it at any time."
        )
        return redirect("sharing:share-list")
    return render(request, "sharing/share_form.html", {"form": form})


@patient_required
@never_cache
def share_link_made(request):
    token = request.session.pop(NEW_LINK_SESSION_KEY, None)
    if token is None:
        return redirect("sharing:share-list")
    share = get_object_or_404(Share, patient=request.user, token_hash=token_hash(token))
    link = request.build_absolute_uri(reverse("sharing:link", args=[token]))
    return render(request, "sharing/share_link_made.html", {"share": share, "link": link})


@patient_required
def share_revoke(request, pk):
    share = owned_or_404(Share, request, pk)
    if request.method == "POST":
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            with transaction.atomic():
                share.save(update_fields=["revoked_at"])
                trail.record(request, "revoked", share)
        messages.success(request, "The share is revoked: nothing more can be seen through it.")
        return redirect("sharing:share-list")
    return render(request, "sharing/share_revoke.html", {"share": share})


# The clinician's side.


@clinician_required
@never_cache
def clinician_home(request):
    now = timezone.now()
    live = Share.objects.live(now).filter(via=Via.CLINICIAN, clinician=request.user).select_related("patient")
    waiting = [share for share in live if share.accepted_at is None]
    shared = [share for share in live if share.accepted_at is not None]
    today = timezone.localdate()
    for share in shared:
        share.glance = clinician_glance(share, today)
    shared.sort(key=lambda share: (not share.glance["flags"], share.patient.display_name.lower()))
    return render(
        request,
        "sharing/clinician_home.html",
        {"waiting": waiting, "shared": shared, "clinician": request.user.clinician},
    )


@require_POST
@clinician_required
def share_accept(request, pk):
    share = get_object_or_404(
        Share.objects.live().filter(via=Via.CLINICIAN, clinician=request.user, accepted_at__isnull=True), pk=pk
    )
    share.accepted_at = timezone.now()
    with transaction.atomic():
        share.save(update_fields=["accepted_at"])
        trail.record(request, "accepted", share)
    return redirect("sharing:clinician-share", pk=share.pk)


def _share_downloads(prefix, key):
    def url(fmt, *args):
        return reverse(f"sharing:{prefix}-{fmt}", args=[key, *args])

    return url


def _show_share(request, share, *, note_form=None, downloads_key, prefix, page_url):
    appendix = access.wants_appendix(request, share)
    response = render_summary(
        request,
        share.patient,
        share.period,
        appendix=appendix,
        downloads=summary_downloads(
            _share_downloads(prefix, downloads_key), "appendix=on" if appendix else "", covers=share.covers
        ),
        heading=f"Shared by {share.patient.display_name}",
        extra_template="sharing/_share_panel.html",
        share=share,
        appendix_url=f"{page_url}?appendix=on" if share.covers("appendix") else None,
        notes=share.notes.select_related("author"),
        note_form=note_form,
    )
    access.record(request, share, "summary with the episodes" if appendix else "summary")
    return response


@clinician_required
@never_cache
def clinician_share(request, pk):
    return _show_clinician_share(request, access.open_share(request, pk), NoteForm())


def _show_clinician_share(request, share, note_form):
    return _show_share(
        request,
        share,
        note_form=note_form,
        downloads_key=share.pk,
        prefix="clinician-share",
        page_url=reverse("sharing:clinician-share", args=[share.pk]),
    )


@require_POST
@clinician_required
def share_note(request, pk):
    share = access.open_share(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        form.instance.share, form.instance.author = share, request.user
        with transaction.atomic():
            trail.record(request, "left a note", form.save(), patient=share.patient)
        messages.success(request, "The note is saved; the patient sees it with their shares.")
        return redirect("sharing:clinician-share", pk=share.pk)
    return _show_clinician_share(request, share, form)


# A link, for a clinician without an account.


@never_cache
def link_share(request, token):
    try:
        share = access.find_link(request, token)
    except access.TooMany:
        return access.too_many(request)
    if not access.is_unlocked(request, share):
        return _unlock(request, share, token)
    return _show_share(
        request,
        share,
        downloads_key=token,
        prefix="link",
        page_url=reverse("sharing:link", args=[token]),
    )


def _unlock(request, share, token):
    if share.is_resting():
        return access.too_many(request, share.resting_until)
    form = SecretForm(request.POST or None, protection=share.protection)
    if request.method == "POST" and form.is_valid():
        if share.try_secret(form.secret()):
            access.unlock(request, share)
            return redirect("sharing:link", token=token)
        if share.is_resting():
            return access.too_many(request, share.resting_until)
        form.add_error("pin", "That does not match. Ask the patient to check it.")
    return render(request, "sharing/link_unlock.html", {"form": form, "share": share}, status=200)
