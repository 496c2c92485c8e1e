import re
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import trail
from logs.forms import (
    DEFAULT_QUICK_LOCATIONS,
    QUICK_LOCATION_COUNT,
    AccountForm,
    CheckInForm,
    DateRangeForm,
    EpisodeFilterForm,
    EpisodeForm,
    MedicineForm,
    ProfileForm,
    QuickLogForm,
)
from logs.models import CheckIn, Episode, EpisodeLocation, Medicine, Profile
from spasmlog.access import owned_or_404, patient_required
from spasmlog.dates import parse_day

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
    """The patient's most frequent places lately, then common ones, twelve in all."""
    since = timezone.now() - timedelta(days=SHORTCUT_DAYS)
    frequent = (
        EpisodeLocation.objects.filter(episode__patient=patient, episode__started_at__gte=since)
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
def _episode_saved(episode):
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
            trail.record(request, "logged", form.save())
        messages.success(request, "The episode is saved.")
        return redirect("logs:episode-list")
    return render(request, "logs/episode_form.html", {"form": form})


@patient_required
def episode_edit(request, pk):
    episode = owned_or_404(Episode, request, pk)
    form = EpisodeForm(request.POST or None, instance=episode, patient=request.user)
    return _edit_page(request, form, "logs/episode_form.html", then="logs:episode-list", saved=_episode_saved)


@patient_required
def episode_delete(request, pk):
    episode = owned_or_404(Episode, request, pk)
    return _delete_page(request, episode, then="logs:episode-list", deleted="The episode is deleted.")


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
