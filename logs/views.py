import json
import re
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST

from audit import trail
from logs import red_flags
from logs.forms import (
    DEFAULT_QUICK_LOCATIONS,
    QUICK_LOCATION_COUNT,
    AccountForm,
    CheckInForm,
    DateRangeForm,
    EpisodeFilterForm,
    EpisodeForm,
    MedicineForm,
    OfflineLogForm,
    ProfileForm,
    QuickLogForm,
)
from logs.models import CheckIn, Episode, EpisodeLocation, Medicine, Profile
from logs.pwa import offline_key
from spasmlog.access import owned_or_404, patient_json_required, patient_required
from spasmlog.dates import local_midnight, parse_day

PAGE_SIZE = 25
# The quick log ranks places by how often they came up in this many recent days.
SHORTCUT_DAYS = 90


# The largest id a table here holds (a 64-bit integer), and more pages than any diary fills.
MAX_ID = 2**63 - 1
MAX_PAGE = 10**6


def _whole_number(text, maximum):
    """A page or an id from an address: ASCII digits up to maximum, else None (never a Unicode digit)."""
    if re.fullmatch(r"[0-9]{1,19}", text) and int(text) <= maximum:
        return int(text)
    return None


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(_whole_number(request.GET.get("page", ""), MAX_PAGE))


def _edit_page(request, form, template, *, then, saved):
    """
    The page of a form that changes one of the patient's records, which the template has under
    its model's name ("checkin"), as in Django's generic views. A valid form is saved and
    audited in one transaction, and the patient goes on to `then`, told saved(record).
    """
    record = form.instance
    if form.is_valid():
        with transaction.atomic():
            trail.record(request, "changed", form.save())
        messages.success(request, saved(record))
        return redirect(then)
    return render(request, template, {"form": form, record._meta.model_name: record})


def _delete_page(request, record, *, then, deleted, **context):
    """A confirmation page on GET; on POST the record is audited and deleted, and the patient goes on to `then`."""
    if request.method == "POST":
        with transaction.atomic():
            trail.record(request, "deleted", record)
            record.delete()
        messages.success(request, deleted)
        return redirect(then)
    return render(
        request, "confirm_delete.html", {"object": record, "cancel_url": record.get_absolute_url(), **context}
    )


@patient_required
def profile(request):
    try:
        patient_profile = request.user.profile
    except Profile.DoesNotExist:
        patient_profile = Profile(patient=request.user)
    account_form = AccountForm(request.POST or None, instance=request.user, prefix="account")
    profile_form = ProfileForm(request.POST or None, instance=patient_profile, prefix="profile")
    if request.method == "POST" and account_form.is_valid() and profile_form.is_valid():
        with transaction.atomic():
            account_form.save()
            trail.record(request, "changed", profile_form.save())
        messages.success(request, "Your profile is saved.")
        return redirect("logs:profile")
    return render(request, "logs/profile.html", {"account_form": account_form, "profile_form": profile_form})


def quick_log_shortcuts(patient):
    """
    The patient's most frequent places lately, then common ones, twelve in all. Counted up to
    the start of today, so the buttons keep their places all day and never move under a finger
    right after a tap: the order changes at most once a day.
    """
    today = local_midnight(timezone.localdate(), timezone.get_current_timezone())
    frequent = (
        EpisodeLocation.objects.filter(
            episode__patient=patient,
            episode__started_at__gte=today - timedelta(days=SHORTCUT_DAYS),
            episode__started_at__lt=today,
        )
        .values_list("region", "side")
        .annotate(n=Count("id"))
        .order_by("-n", "region", "side")[:QUICK_LOCATION_COUNT]
    )
    shortcuts = [(region, side) for region, side, _ in frequent]
    for pair in DEFAULT_QUICK_LOCATIONS:
        if len(shortcuts) >= QUICK_LOCATION_COUNT:
            break
        if pair not in shortcuts:
            shortcuts.append(pair)
    return shortcuts


# What the patient is told once a record is saved.
def _episode_saved(request, episode):
    """
    That the episode is saved, after a warning of any red flag it shows: a message of its own
    (tagged "red-flag"), which the next page puts above everything else.
    """
    flagged = red_flags.flags_of(episode)
    if flagged is not None:
        messages.add_message(
            request,
            messages.ERROR if flagged.urgent else messages.WARNING,
            f"You logged {flagged.logged}. {flagged.advice}",
            extra_tags="red-flag urgent" if flagged.urgent else "red-flag soon",
        )
    return "The episode is saved."


def _checkin_saved(checkin):
    return f"Your check-in for {checkin.day:%A %-d %B} is saved."


def _medicine_saved(medicine):
    return f"{medicine.name} is saved."


def _logged(episode):
    """Back to the quick log, which then offers to add details to this episode."""
    return redirect(f"{reverse('logs:quick-log')}?logged={episode.pk}")


@patient_required
def quick_log(request):
    form = QuickLogForm(request.POST or None)
    if form.is_valid():
        with transaction.atomic():
            episode = form.save(request.user)
            trail.record(request, "logged", episode)
        return _logged(episode)
    form.offer(quick_log_shortcuts(request.user))
    episodes = Episode.objects.for_patient(request.user).prefetch_related("locations")
    logged_pk = _whole_number(request.GET.get("logged", ""), MAX_ID)
    return render(
        request,
        "logs/quick_log.html",
        {
            "form": form,
            "last": episodes.first(),
            "logged": episodes.filter(pk=logged_pk).first() if logged_pk is not None else None,
        },
    )


@require_POST
@patient_required
def same_as_last(request):
    last = Episode.objects.for_patient(request.user).prefetch_related("locations").first()
    if last is None:
        messages.error(request, "There is no earlier spasm to repeat yet.")
        return redirect("logs:quick-log")
    with transaction.atomic():
        places = {place.region: place.side for place in last.locations.all()}
        episode = Episode.objects.log(request.user, places, kind=last.kind)
        trail.record(request, "logged", episode)
    return _logged(episode)


# A mis-tap can be undone from the quick log's confirmation: the page offers it for ten seconds
# (offline.js), and the server takes it for a minute, for a slow signal; later, from the episode's page.
UNDO_SECONDS = 60


@require_POST
@patient_required
def quick_log_undo(request, pk):
    episode = owned_or_404(Episode, request, pk)
    if episode.created_at < timezone.now() - timedelta(seconds=UNDO_SECONDS):
        messages.error(request, "It is too late to undo this log here: open it from Episodes to delete it.")
        return redirect("logs:quick-log")
    with transaction.atomic():
        trail.record(request, "deleted", episode)
        episode.delete()
    messages.success(request, f"Undone: the log of {timezone.localtime(episode.started_at):%H:%M} is removed.")
    return redirect("logs:quick-log")


# A log sent from a phone is a few hundred bytes; a longer body is refused unread.
MAX_SENT_LOG_BYTES = 4096


def _sent_log_fields(data) -> QueryDict | None:
    """A sent log's JSON as the fields of OfflineLogForm, or None when it is not the shape offline.js sends."""
    if not isinstance(data, dict) or not isinstance(data.get("locations", []), list):
        return None
    fields = QueryDict(mutable=True)
    for name in ("id", "tapped_at", "other_region", "other_side", "intensity", "kind"):
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            fields[name] = str(value)
    fields.setlist("locations", [str(place) for place in data.get("locations", [])[: QUICK_LOCATION_COUNT * 4]])
    return fields


def _stored(episode, status):
    return JsonResponse(
        {
            "episode": episode.pk,
            "logged": f"{reverse('logs:quick-log')}?logged={episode.pk}",
            "started_at": episode.started_at.isoformat(),
        },
        status=status,
    )


@require_POST
@patient_json_required
def quick_log_sent(request):
    """
    A quick log the phone kept while it had no signal (logs/static/logs/offline.js), as JSON. Its id
    is stored once per patient: the same log sent again, or by two tabs at once, answers with the
    episode stored the first time. What the quick log's form refuses, this refuses, with the reason.
    """
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_SENT_LOG_BYTES:
        return JsonResponse({"message": "This log is too long to be one from SpasmLog."}, status=413)
    try:
        fields = _sent_log_fields(json.loads(request.read(MAX_SENT_LOG_BYTES)))
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        fields = None
    if fields is None:
        return JsonResponse({"message": "This is not a log SpasmLog can read."}, status=400)
    owner = request.headers.get("X-Offline-Owner", "")
    if not constant_time_compare(owner, offline_key(request.user)):
        # Kept on this phone for someone else: it is never stored in this diary.
        return JsonResponse({"message": "This log was kept for someone else who used this phone."}, status=409)
    form = OfflineLogForm(fields)
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        return JsonResponse({"message": " ".join(reasons), "errors": form.errors}, status=400)
    patient = request.user
    earlier = Episode.objects.for_patient(patient).filter(client_id=form.cleaned_data["id"]).first()
    if earlier is not None:
        return _stored(earlier, 200)
    try:
        with transaction.atomic():
            episode = form.save(patient)
            trail.record(request, "logged", episode)
    except IntegrityError:
        # The same log, sent at the same moment from another tab, was stored first.
        earlier = Episode.objects.for_patient(patient).filter(client_id=form.cleaned_data["id"]).first()
        if earlier is None:
            raise
        return _stored(earlier, 200)
    return _stored(episode, 201)


@patient_required
def episode_list(request):
    filters = EpisodeFilterForm(request.GET or None)
    start, end = filters.bounds()
    episodes = Episode.objects.for_patient(request.user).between(start, end)
    if filters.is_valid() and filters.cleaned_data["region"]:
        episodes = episodes.filter(
            Exists(EpisodeLocation.objects.filter(episode=OuterRef("pk"), region=filters.cleaned_data["region"]))
        )
    page = _page(request, episodes.prefetch_related("locations"))
    return render(request, "logs/episode_list.html", {"filters": filters, "page": page})


@patient_required
def episode_new(request):
    form = EpisodeForm(request.POST or None, patient=request.user)
    if form.is_valid():
        with transaction.atomic():
            episode = form.save()
            trail.record(request, "logged", episode)
        messages.success(request, _episode_saved(request, episode))
        return redirect("logs:episode-list")
    return render(request, "logs/episode_form.html", {"form": form})


@patient_required
def episode_edit(request, pk):
    episode = owned_or_404(Episode, request, pk)
    # A save brings a dismissed warning back, so a red flag ticked since is not missed on the dashboard.
    episode.warning_dismissed_at = None
    form = EpisodeForm(request.POST or None, instance=episode, patient=request.user)
    return _edit_page(
        request,
        form,
        "logs/episode_form.html",
        then="logs:episode-list",
        saved=lambda record: _episode_saved(request, record),
    )


@patient_required
def episode_delete(request, pk):
    episode = owned_or_404(Episode, request, pk)
    return _delete_page(request, episode, then="logs:episode-list", deleted="The episode is deleted.")


@require_POST
@patient_required
def episode_warning_dismiss(request, pk):
    """The dashboard stops warning of this episode's red flags, until a save of the episode brings them back."""
    episode = owned_or_404(Episode, request, pk)
    episode.warning_dismissed_at = timezone.now()
    with transaction.atomic():
        episode.save(update_fields=["warning_dismissed_at"])
        trail.record(request, "changed", episode)
    messages.success(request, "The warning is dismissed. The episode stays in your diary and your summary.")
    return redirect("reports:dashboard")


@patient_required
def checkin_list(request):
    filters = DateRangeForm(request.GET or None)
    start = end = None
    if filters.is_valid():
        start, end = filters.cleaned_data["start"], filters.cleaned_data["end"]
    checkins = CheckIn.objects.for_patient(request.user).between(start, end)
    today = timezone.localdate()
    return render(
        request,
        "logs/checkin_list.html",
        {
            "filters": filters,
            "page": _page(request, checkins),
            "today_checkin": CheckIn.objects.for_patient(request.user).filter(day=today).first(),
        },
    )


@patient_required
def checkin_new(request):
    """A check-in for a day; a day that already has one opens that one instead."""
    typed = request.POST.get("day") or request.GET.get("day")
    # Read as the form reads it, so the check-in found is the one the form would save.
    day = parse_day(typed) if typed else timezone.localdate()
    existing = CheckIn.objects.for_patient(request.user).filter(day=day).first() if day else None
    if existing and request.method == "GET":
        return redirect("logs:checkin-edit", existing.pk)
    form = CheckInForm(request.POST or None, instance=existing, initial={"day": day or typed})
    if form.is_valid():
        checkin = form.save(commit=False)
        checkin.patient = request.user
        with transaction.atomic():
            checkin.save()
            trail.record(request, "changed" if existing else "checked in", checkin)
        messages.success(request, _checkin_saved(checkin))
        return redirect("reports:dashboard")
    return render(request, "logs/checkin_form.html", {"form": form})


@patient_required
def checkin_edit(request, pk):
    checkin = owned_or_404(CheckIn, request, pk)
    form = CheckInForm(request.POST or None, instance=checkin)
    return _edit_page(request, form, "logs/checkin_form.html", then="reports:dashboard", saved=_checkin_saved)


@patient_required
def checkin_delete(request, pk):
    checkin = owned_or_404(CheckIn, request, pk)
    return _delete_page(request, checkin, then="logs:checkin-list", deleted="The check-in is deleted.")


@patient_required
def medicine_list(request):
    today = timezone.localdate()
    current: list[Medicine] = []
    past: list[Medicine] = []
    for medicine in Medicine.objects.for_patient(request.user):
        (current if medicine.is_current(today) else past).append(medicine)
    return render(request, "logs/medicine_list.html", {"current": current, "past": past})


@patient_required
def medicine_new(request):
    form = MedicineForm(request.POST or None)
    if form.is_valid():
        medicine = form.save(commit=False)
        medicine.patient = request.user
        with transaction.atomic():
            medicine.save()
            trail.record(request, "added", medicine)
        messages.success(request, f"{medicine.name} is on your list.")
        return redirect("logs:medicine-list")
    return render(request, "logs/medicine_form.html", {"form": form})


@patient_required
def medicine_edit(request, pk):
    medicine = owned_or_404(Medicine, request, pk)
    form = MedicineForm(request.POST or None, instance=medicine)
    return _edit_page(request, form, "logs/medicine_form.html", then="logs:medicine-list", saved=_medicine_saved)


@patient_required
def medicine_delete(request, pk):
    medicine = owned_or_404(Medicine, request, pk)
    return _delete_page(
        request,
        medicine,
        then="logs:medicine-list",
        deleted=f"{medicine.name} is removed from your list.",
        consequence="Episodes that record taking it will no longer show it. "
        "If you have stopped taking it, give the day you stopped instead.",
    )


# The summary and its downloads, for the patient here and for whoever a share lets in.


# The patient's own data: everything out, back in, or gone.
