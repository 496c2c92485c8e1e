import functools
import re
import secrets
from datetime import timedelta

import orjson
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from logs import audit, exports, fhir, limits, portability, summary
from logs.forms import (
    DEFAULT_QUICK_LOCATIONS,
    QUICK_LOCATION_COUNT,
    AccountForm,
    CheckInForm,
    DateRangeForm,
    DeleteAccountForm,
    EmailChangeForm,
    EpisodeFilterForm,
    EpisodeForm,
    ImportForm,
    MedicineForm,
    OpenAccountForm,
    ProfileForm,
    QuickLogForm,
    SignUpForm,
    SummaryForm,
)
from logs.models import CheckIn, Episode, EpisodeLocation, Medicine, PendingAccount, Profile, User
from spasmlog.dates import parse_day
from spasmlog.tokens import token_hash

PAGE_SIZE = 25
# The quick log ranks places by how often they came up in this many recent days.
SHORTCUT_DAYS = 90


def patient_required(view):
    """Signed in, and a patient: a clinician's account has no diary, so it goes to the clinician's pages."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.is_clinician:
            return redirect("sharing:clinician-home")
        return view(request, *args, **kwargs)

    return wrapper


def _own_episode(request, pk):
    return get_object_or_404(Episode, pk=pk, patient=request.user)


def _own_checkin(request, pk):
    return get_object_or_404(CheckIn, pk=pk, patient=request.user)


def _own_medicine(request, pk):
    return get_object_or_404(Medicine, pk=pk, patient=request.user)


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


def home(request):
    if request.user.is_authenticated:
        return redirect("sharing:clinician-home" if request.user.is_clinician else "logs:quick-log")
    return render(request, "logs/home.html")


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if form.is_valid():
        return start_sign_up(request, form, "signup-confirm")
    return render(request, "registration/signup.html", {"form": form})


def start_sign_up(request, form, confirm_url_name, **details):
    """
    E-mail a link that opens the account, or, when the address has one already,
    a note saying so: the page that follows is the same either way, and so is
    the work behind it (one e-mail, no password hashed). Past the limit on
    account e-mails to the address or from the client, nothing is sent and
    nothing changes, and the page is still the same.
    """
    email = form.cleaned_data["email"]
    PendingAccount.objects.filter(created_at__lt=timezone.now() - PendingAccount.LIFETIME).delete()
    if limits.may_send_account_email(request, email):
        _send_sign_up_email(request, form, confirm_url_name, details)
    request.session[SIGN_UP_SENT_KEY] = email
    return redirect("signup-sent")


def _send_sign_up_email(request, form, confirm_url_name, details):
    email = form.cleaned_data["email"]
    token = secrets.token_urlsafe(32)
    # One sign-up waits per address: this one takes the place, and so ends the link, of any before it. It is
    # kept for an address that has an account too, so that both branches write alike; confirm_sign_up never
    # opens it, and its token is sent to nobody.
    PendingAccount.objects.update_or_create(
        email=email,
        defaults={
            "token_hash": token_hash(token),
            "display_name": form.cleaned_data["display_name"],
            "time_zone": form.cleaned_data["time_zone"],
            "details": details,
            "created_at": timezone.now(),
        },
    )
    if User.objects.filter(email=email).exists():
        subject = "Your SpasmLog account"
        body = render_to_string(
            "registration/signup_exists_email.txt",
            {
                "login": request.build_absolute_uri(reverse("login")),
                "reset": request.build_absolute_uri(reverse("password_reset")),
            },
        )
    else:
        subject = "Confirm your address to open your SpasmLog account"
        body = render_to_string(
            "registration/signup_confirm_email.txt",
            {"link": request.build_absolute_uri(reverse(confirm_url_name, args=[token]))},
        )
    send_mail(subject, body, None, [email])


SIGN_UP_SENT_KEY = "sign-up-sent-to"


def signup_sent(request):
    return render(request, "registration/signup_sent.html", {"email": request.session.get(SIGN_UP_SENT_KEY, "")})


def confirm_sign_up(request, token, open_account, *, then):
    """
    The page behind the e-mailed link: whoever holds it chooses the password,
    and the account opens on POST (so no link preview opens it).
    """
    pending = PendingAccount.objects.filter(
        token_hash=token_hash(token),
        created_at__gte=timezone.now() - PendingAccount.LIFETIME,
    ).first()
    if pending is None or User.objects.filter(email=pending.email).exists():
        return _sign_up_link_ended(request)
    form = OpenAccountForm(request.POST or None, pending=pending)
    if form.is_valid():
        with transaction.atomic():
            # Deleted first: of two posts of one link, only the first opens an account.
            if not pending.delete()[0]:
                return _sign_up_link_ended(request)
            user = open_account(pending, form.cleaned_data["password1"])
            audit.record(request, "created the account", actor=user, patient=None if user.is_clinician else user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(then)
    return render(request, "registration/signup_confirm.html", {"pending": pending, "form": form})


def _sign_up_link_ended(request):
    return render(request, "registration/signup_link_ended.html", status=404)


def _open_patient_account(pending, password):
    user = pending.open_account(password)
    Profile.objects.create(patient=user)
    return user


def signup_confirm(request, token):
    response = confirm_sign_up(request, token, _open_patient_account, then="logs:quick-log")
    if request.method == "POST" and response.status_code == 302:
        messages.success(request, "Welcome to SpasmLog. Log your first spasm below.")
    return response


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
            audit.record(request, "changed", profile_form.save())
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


def _logged(episode):
    """Back to the quick log, which then offers to add details to this episode."""
    return redirect(f"{reverse('logs:quick-log')}?logged={episode.pk}")


@patient_required
def quick_log(request):
    form = QuickLogForm(request.POST or None)
    if form.is_valid():
        with transaction.atomic():
            episode = form.save(request.user)
            audit.record(request, "logged", episode)
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


@patient_required
@require_POST
def same_as_last(request):
    last = Episode.objects.for_patient(request.user).prefetch_related("locations").first()
    if last is None:
        messages.error(request, "There is no earlier spasm to repeat yet.")
        return redirect("logs:quick-log")
    with transaction.atomic():
        places = {place.region: place.side for place in last.locations.all()}
        episode = Episode.objects.log(request.user, places, kind=last.kind)
        audit.record(request, "logged", episode)
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
            audit.record(request, "logged", form.save())
        messages.success(request, "The episode is saved.")
        return redirect("logs:episode-list")
    return render(request, "logs/episode_form.html", {"form": form})


@patient_required
def episode_edit(request, pk):
    episode = _own_episode(request, pk)
    form = EpisodeForm(request.POST or None, instance=episode, patient=request.user)
    if form.is_valid():
        with transaction.atomic():
            audit.record(request, "changed", form.save())
        messages.success(request, "The episode is saved.")
        return redirect("logs:episode-list")
    return render(request, "logs/episode_form.html", {"form": form, "episode": episode})


@patient_required
def episode_delete(request, pk):
    episode = _own_episode(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, "deleted", episode)
            episode.delete()
        messages.success(request, "The episode is deleted.")
        return redirect("logs:episode-list")
    return render(request, "logs/confirm_delete.html", {"object": episode, "cancel_url": episode.get_absolute_url()})


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
            audit.record(request, "changed" if existing else "checked in", checkin)
        messages.success(request, f"Your check-in for {checkin.day:%A %-d %B} is saved.")
        return redirect("logs:dashboard")
    return render(request, "logs/checkin_form.html", {"form": form})


@patient_required
def checkin_edit(request, pk):
    checkin = _own_checkin(request, pk)
    form = CheckInForm(request.POST or None, instance=checkin)
    if form.is_valid():
        with transaction.atomic():
            audit.record(request, "changed", form.save())
        messages.success(request, f"Your check-in for {checkin.day:%A %-d %B} is saved.")
        return redirect("logs:dashboard")
    return render(request, "logs/checkin_form.html", {"form": form, "checkin": checkin})


@patient_required
def checkin_delete(request, pk):
    checkin = _own_checkin(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, "deleted", checkin)
            checkin.delete()
        messages.success(request, "The check-in is deleted.")
        return redirect("logs:checkin-list")
    return render(request, "logs/confirm_delete.html", {"object": checkin, "cancel_url": checkin.get_absolute_url()})


@patient_required
def medicine_list(request):
    today = timezone.localdate()
    current, past = [], []
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
            audit.record(request, "added", medicine)
        messages.success(request, f"{medicine.name} is on your list.")
        return redirect("logs:medicine-list")
    return render(request, "logs/medicine_form.html", {"form": form})


@patient_required
def medicine_edit(request, pk):
    medicine = _own_medicine(request, pk)
    form = MedicineForm(request.POST or None, instance=medicine)
    if form.is_valid():
        with transaction.atomic():
            audit.record(request, "changed", form.save())
        messages.success(request, f"{medicine.name} is saved.")
        return redirect("logs:medicine-list")
    return render(request, "logs/medicine_form.html", {"form": form, "medicine": medicine})


@patient_required
def medicine_delete(request, pk):
    medicine = _own_medicine(request, pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, "deleted", medicine)
            medicine.delete()
        messages.success(request, f"{medicine.name} is removed from your list.")
        return redirect("logs:medicine-list")
    return render(
        request,
        "logs/confirm_delete.html",
        {
            "object": medicine,
            "cancel_url": medicine.get_absolute_url(),
            "consequence": "Episodes that record taking it will no longer show it. "
            "If you have stopped taking it, give the day you stopped instead.",
        },
    )


@patient_required
def dashboard(request):
    return render(request, "logs/dashboard.html", summary.glance(request.user, timezone.now()))


def _summary_form(request):
    # The middleware has made the patient's zone the current one.
    return SummaryForm(request.GET or None, today=timezone.localdate())


# The summary and its downloads, for the patient here and for whoever a share lets in.


def summary_downloads(url, query, covers=None):
    """
    The links to print and download a summary, url(name, *args) giving each address.
    A share passes covers(part) (Share.covers), which leaves out what it does not show.
    """
    query = f"?{query}" if query else ""
    joiner = "&" if query else "?"
    downloads = [
        ("summary", "PDF (A4)", f"{url('pdf')}{query}{joiner}paper=a4", True),
        ("summary", "PDF (Letter)", f"{url('pdf')}{query}{joiner}paper=letter", True),
        ("episodes", "Episodes (CSV)", f"{url('csv', 'episodes')}{query}", False),
        ("checkins", "Check-ins (CSV)", f"{url('csv', 'checkins')}{query}", False),
        ("medicines", "Medicines (CSV)", f"{url('csv', 'medicines')}{query}", False),
        ("fhir", "FHIR (JSON)", f"{url('fhir')}{query}", False),
    ]
    return [(label, address, main) for part, label, address, main in downloads if covers is None or covers(part)]


def render_summary(request, patient, period, *, appendix=False, **context):
    """The summary page of a patient's period, in the patient's zone whoever reads it."""
    with timezone.override(patient.zone):
        context.update(summary.build_summary(patient, period, timezone.now(), appendix=appendix))
        return render(request, "logs/summary.html", {"base_template": "base.html", **context})


def _attachment(response, patient, period, what, extension):
    response["Content-Disposition"] = content_disposition_header(
        True, exports.file_name(patient, period.slug(), what, extension)
    )
    return response


def summary_pdf_response(request, patient, period, *, appendix=False):
    paper = request.GET.get("paper", "a4")
    if paper not in exports.PAPER_SIZES:
        paper = "a4"
    with timezone.override(patient.zone):
        context = summary.build_summary(patient, period, timezone.now(), appendix=appendix)
        html = render_to_string("logs/summary.html", {**context, "base_template": "logs/print_base.html"}, request)
    response = HttpResponse(exports.pdf(html, paper), content_type="application/pdf")
    return _attachment(response, patient, period, "summary", "pdf")


def summary_csv_response(patient, period, what):
    write = exports.CSV_EXPORTS.get(what)
    if write is None:
        raise Http404("No such export.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    write(response, patient, period)
    return _attachment(response, patient, period, what, "csv")


def summary_fhir_response(patient, period, *, entries=True):
    bundle = fhir.bundle(patient, period, timezone.now(), entries=entries)
    response = HttpResponse(orjson.dumps(bundle), content_type="application/fhir+json; charset=utf-8")
    return _attachment(response, patient, period, "fhir", "json")


def _own_download_url(name, *args):
    return reverse(f"logs:summary-{name}", args=args)


@patient_required
@never_cache
def summary_page(request):
    form = _summary_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "logs/summary.html", {"base_template": "base.html", "form": form})
    downloads = summary_downloads(_own_download_url, request.GET.urlencode())
    return render_summary(
        request, request.user, form.summary_period(), appendix=form.wants_appendix(), form=form, downloads=downloads
    )


def _valid_period(view):
    """Downloads send a period that does not validate back to the page, which says why."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        form = _summary_form(request)
        if form.is_bound and not form.is_valid():
            return redirect(reverse("logs:summary") + "?" + request.GET.urlencode())
        return view(request, form, *args, **kwargs)

    return wrapper


@patient_required
@never_cache
@_valid_period
def summary_pdf(request, form):
    return summary_pdf_response(request, request.user, form.summary_period(), appendix=form.wants_appendix())


@patient_required
@never_cache
@_valid_period
def summary_csv(request, form, what):
    return summary_csv_response(request.user, form.summary_period(), what)


@patient_required
@never_cache
@_valid_period
def summary_fhir(request, form):
    return summary_fhir_response(request.user, form.summary_period())


# The patient's own data: everything out, back in, or gone.


@patient_required
@never_cache
def account_export(request):
    now = timezone.now()
    audit.record(request, "exported everything", patient=request.user)
    response = HttpResponse(portability.export_zip(request.user, now), content_type="application/zip")
    day = now.astimezone(request.user.zone).date().isoformat()
    response["Content-Disposition"] = content_disposition_header(
        True, exports.file_name(request.user, day, "everything", "zip")
    )
    return response


@patient_required
def account_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = portability.read_upload(form.cleaned_data["file"])
            with transaction.atomic():
                counts = portability.import_data(request.user, data)
                audit.record(request, "imported a diary", patient=request.user)
        except portability.NotImportable as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                f"Imported {counts['episodes']} episodes, {counts['checkins']} check-ins "
                f"and {counts['medicines']} medicines.",
            )
            return redirect("logs:dashboard")
    return render(request, "logs/account_import.html", {"form": form})


@patient_required
def account_email(request):
    form = EmailChangeForm(request.POST or None, instance=request.user)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record(request, "changed the e-mail address", patient=request.user)
        messages.success(request, "Your e-mail address is changed.")
        return redirect("logs:profile")
    return render(request, "logs/account_email.html", {"form": form})


@patient_required
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if form.is_valid():
        user = request.user
        with transaction.atomic():
            audit.record(request, "deleted the account", patient=user)
            logout(request)
            user.delete()
        messages.success(request, "Your account and everything in it are deleted.")
        return redirect("login")
    return render(request, "logs/account_delete.html", {"form": form})
