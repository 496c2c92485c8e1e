import functools
from datetime import timedelta

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from logs import audit, limits
from logs.models import Episode
from logs.summary import EPISODE_RED_FLAGS
from logs.views import (
    confirm_sign_up,
    patient_required,
    render_summary,
    start_sign_up,
    summary_csv_response,
    summary_downloads,
    summary_fhir_response,
    summary_pdf_response,
)
from sharing.forms import ClinicianSignUpForm, NoteForm, SecretForm, ShareForm, TokenForm
from sharing.models import AccessRecord, Clinician, Note, Protection, Share, Via
from spasmlog.addresses import client_address
from spasmlog.dates import local_midnight
from spasmlog.tokens import token_hash

RECOVERY_CODES = 10
# After a wrong code, django-otp makes each next try wait longer.
WAIT_MESSAGE = "Too many wrong codes in a row: wait a few seconds, then try the newest code."
# Unknown links asked for from one address before it must wait.
LINK_MISSES = 20
LINK_MISS_WINDOW = 15 * 60
NEW_LINK_SESSION_KEY = "sharing-new-link"


def _address(request):
    return client_address(request)


def _record(request, share, what):
    """Every look at shared data is written down, for the patient to see."""
    viewer = request.user if request.user.is_authenticated else None
    AccessRecord.objects.create(share=share, viewer=viewer, what=what, address=_address(request))


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
            audit.record(request, "shared", share)
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
    share = get_object_or_404(Share, pk=pk, patient=request.user)
    if request.method == "POST":
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            with transaction.atomic():
                share.save(update_fields=["revoked_at"])
                audit.record(request, "revoked", share)
        messages.success(request, "The share is revoked: nothing more can be seen through it.")
        return redirect("sharing:share-list")
    return render(request, "sharing/share_revoke.html", {"share": share})


# The clinician's side.


def _has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _after_second_step(user):
    """Where the second step leads: a clinician's patients, or the admin for staff."""
    return "sharing:clinician-home" if user.is_clinician else "admin:index"


def clinician_required(view):
    """A clinician who has signed in with the second step; patients and others get 404."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_clinician:
            raise Http404("Not a clinician's page.")
        if not request.user.is_verified():
            if not _has_device(request.user):
                return redirect("sharing:two-step-setup")
            return redirect(f"{reverse('sharing:two-step-verify')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _clinician_only(view):
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


def clinician_signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ClinicianSignUpForm(request.POST or None)
    if form.is_valid():
        details = {"practice": form.cleaned_data["practice"], "registration": form.cleaned_data["registration"]}
        return start_sign_up(request, form, "sharing:clinician-confirm", **details)
    return render(request, "sharing/clinician_signup.html", {"form": form})


def _open_clinician_account(pending, password):
    user = pending.open_account(password, is_clinician=True)
    Clinician.objects.create(
        user=user, practice=pending.details["practice"], registration=pending.details.get("registration", "")
    )
    return user


def clinician_confirm(request, token):
    return confirm_sign_up(request, token, _open_clinician_account, then="sharing:two-step-setup")


@_clinician_only
@never_cache
def two_step_setup(request):
    if _has_device(request.user):
        return redirect(_after_second_step(request.user) if request.user.is_verified() else "sharing:two-step-verify")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "Authenticator"})
    form = TokenForm(request.POST or None, submit="Turn on two-step sign-in")
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", WAIT_MESSAGE)
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            codes = _new_recovery_codes(request.user)
            django_otp.login(request, device)
            return render(request, "sharing/recovery_codes.html", {"codes": codes})
        else:
            form.add_error("code", "That code did not match. Check the time on your phone and try the newest code.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "sharing/two_step_setup.html", {"form": form, "qr": qr, "secret": secret})


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@_clinician_only
@never_cache
def two_step_verify(request):
    if not _has_device(request.user):
        return redirect("sharing:two-step-setup")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = TokenForm(request.POST or None, submit="Verify")
    if request.method == "POST" and form.is_valid():
        if any(not device.verify_is_allowed()[0] for device in django_otp.devices_for_user(request.user)):
            form.add_error("code", WAIT_MESSAGE)
        elif device := django_otp.match_token(request.user, form.cleaned_data["code"]):
            django_otp.login(request, device)
            return redirect(next_url or _after_second_step(request.user))
        else:
            form.add_error("code", "That code did not match, or was used already.")
    return render(request, "sharing/two_step_verify.html", {"form": form})


def _glance(share, today):
    """A shared patient on the clinician's list: last entry, the last 30 days against the 30 before, red flags."""
    # Two windows bounded by local midnights need no count by day: one row per patient
    # here, where summary.episodes_per_day would read a row for every quarter hour with
    # an episode in the share's whole period (its red flags and last entry look that far).
    zone = share.patient.zone
    window_end = min(today, share.last_day)
    last30 = max(share.first_day, window_end - timedelta(days=29))
    prev30 = max(share.first_day, window_end - timedelta(days=59))
    start, end = share.period.bounds(zone)
    in_last30 = Q(started_at__gte=local_midnight(last30, zone))
    in_prev30 = Q(started_at__gte=local_midnight(prev30, zone)) & ~in_last30
    figures = (
        Episode.objects.for_patient(share.patient)
        .between(start, end)
        .aggregate(
            last_entry=Max("started_at"),
            last30=Count("id", filter=in_last30),
            prev30=Count("id", filter=in_prev30),
            **{f"flag_{flag.name}": Count("id", filter=flag.condition) for flag in EPISODE_RED_FLAGS},
        )
    )
    figures["flags"] = [flag for flag in EPISODE_RED_FLAGS if figures[f"flag_{flag.name}"]]
    figures["prev30_days"] = (last30 - prev30).days
    figures["change"] = figures["change_size"] = None
    if figures["prev30"]:
        figures["change"] = round(100 * (figures["last30"] - figures["prev30"]) / figures["prev30"])
        figures["change_size"] = abs(figures["change"])
    return figures


@clinician_required
@never_cache
def clinician_home(request):
    now = timezone.now()
    live = Share.objects.live(now).filter(via=Via.CLINICIAN, clinician=request.user).select_related("patient")
    waiting = [share for share in live if share.accepted_at is None]
    shared = [share for share in live if share.accepted_at is not None]
    today = timezone.localdate()
    for share in shared:
        share.glance = _glance(share, today)
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
        audit.record(request, "accepted", share)
    return redirect("sharing:clinician-share", pk=share.pk)


def _open_share(request, pk):
    return get_object_or_404(Share.objects.open_to(request.user).select_related("patient"), pk=pk)


def _share_downloads(name_prefix, key):
    def url(name, *args):
        return reverse(f"sharing:{name_prefix}-{name}", args=[key, *args])

    return url


def _appendix(request, share):
    """The appendix when asked for and the share covers it; a query string alone never adds it."""
    return share.covers("appendix") and request.GET.get("appendix") == "on"


def _covered(share, part):
    if not share.covers(part):
        raise Http404("Not in this share.")


def _show_share(request, share, *, note_form=None, downloads_key, prefix, page_url):
    appendix = _appendix(request, share)
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
    _record(request, share, "summary with the episodes" if appendix else "summary")
    return response


# The downloads of a share, by account or by link: each only if the share covers it.


def _share_pdf(request, share):
    _covered(share, "summary")
    appendix = _appendix(request, share)
    response = summary_pdf_response(request, share.patient, share.period, appendix=appendix)
    _record(request, share, "PDF with the episodes" if appendix else "PDF")
    return response


def _share_csv(request, share, what):
    _covered(share, what)
    response = summary_csv_response(share.patient, share.period, what)
    _record(request, share, f"{what} CSV")
    return response


def _share_fhir(request, share):
    _covered(share, "fhir")
    response = summary_fhir_response(share.patient, share.period, entries=share.covers("entries"))
    _record(request, share, "FHIR export")
    return response


@clinician_required
@never_cache
def clinician_share(request, pk):
    return _show_clinician_share(request, _open_share(request, pk), NoteForm())


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
    share = _open_share(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        form.instance.share, form.instance.author = share, request.user
        with transaction.atomic():
            audit.record(request, "left a note", form.save(), patient=share.patient)
        messages.success(request, "The note is saved; the patient sees it with their shares.")
        return redirect("sharing:clinician-share", pk=share.pk)
    return _show_clinician_share(request, share, form)


@clinician_required
@never_cache
def clinician_share_pdf(request, pk):
    return _share_pdf(request, _open_share(request, pk))


@clinician_required
@never_cache
def clinician_share_csv(request, pk, what):
    return _share_csv(request, _open_share(request, pk), what)


@clinician_required
@never_cache
def clinician_share_fhir(request, pk):
    return _share_fhir(request, _open_share(request, pk))


# A link, for a clinician without an account.


def _link(request, token):
    """The live link share for a token; guessing from one address soon has to wait."""
    misses_key = limits.counter_key("unknown-links-from", str(_address(request)))
    if cache.get(misses_key, 0) >= LINK_MISSES:
        raise _TooMany()
    share = (
        Share.objects.live()
        .filter(via=Via.LINK, token_hash=token_hash(token))
        .select_related("patient", "patient__profile")
        .first()
    )
    if share is None:
        limits.count(misses_key, LINK_MISS_WINDOW)
        raise Http404("No such link, or it has ended.")
    return share


class _TooMany(Exception):
    pass


def _session_key(share):
    return f"sharing-link-open:{share.pk}"


def _unlocked(request, share):
    return share.protection == Protection.NONE or request.session.get(_session_key(share), False)


def _too_many(request, until=None):
    return render(request, "sharing/too_many.html", {"until": until}, status=429)


def link_view(view):
    """A view of a link share: the link must be live, and unlocked when it asks for a PIN or date of birth."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            share = _link(request, token)
        except _TooMany:
            return _too_many(request)
        if not _unlocked(request, share):
            return redirect("sharing:link", token=token)
        return view(request, share, token, *args, **kwargs)

    return never_cache(wrapper)


@never_cache
def link_share(request, token):
    try:
        share = _link(request, token)
    except _TooMany:
        return _too_many(request)
    if not _unlocked(request, share):
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
        return _too_many(request, share.resting_until)
    form = SecretForm(request.POST or None, protection=share.protection)
    if request.method == "POST" and form.is_valid():
        if share.try_secret(form.secret()):
            request.session[_session_key(share)] = True
            return redirect("sharing:link", token=token)
        if share.is_resting():
            return _too_many(request, share.resting_until)
        form.add_error("pin", "That does not match. Ask the patient to check it.")
    return render(request, "sharing/link_unlock.html", {"form": form, "share": share}, status=200)


@link_view
def link_share_pdf(request, share, token):
    return _share_pdf(request, share)


@link_view
def link_share_csv(request, share, token, what):
    return _share_csv(request, share, what)


@link_view
def link_share_fhir(request, share, token):
    return _share_fhir(request, share)
