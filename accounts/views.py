import secrets

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits, portability
from accounts.forms import (
    ClinicianSignUpForm,
    DeleteAccountForm,
    EmailChangeForm,
    ImportForm,
    OpenAccountForm,
    SignUpForm,
    TokenForm,
)
from accounts.models import PendingAccount
from audit import trail
from logs.models import Profile, User
from reports import exports
from sharing.models import Clinician
from spasmlog.access import has_second_step, patient_required, second_step_required
from spasmlog.tokens import token_hash


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
            trail.record(request, "created the account", actor=user, patient=None if user.is_clinician else user)
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


RECOVERY_CODES = 10


# After a wrong code, django-otp makes each next try wait longer.
WAIT_MESSAGE = "Too many wrong codes in a row: wait a few seconds, then try the newest code."


def _after_second_step(user):
    """Where the second step leads: a clinician's patients, or the admin for staff."""
    return "sharing:clinician-home" if user.is_clinician else "admin:index"


def clinician_signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ClinicianSignUpForm(request.POST or None)
    if form.is_valid():
        details = {"practice": form.cleaned_data["practice"], "registration": form.cleaned_data["registration"]}
        return start_sign_up(request, form, "clinician-confirm", **details)
    return render(request, "accounts/clinician_signup.html", {"form": form})


def _open_clinician_account(pending, password):
    user = pending.open_account(password, is_clinician=True)
    Clinician.objects.create(
        user=user, practice=pending.details["practice"], registration=pending.details.get("registration", "")
    )
    return user


def clinician_confirm(request, token):
    return confirm_sign_up(request, token, _open_clinician_account, then="two-step-setup")


@second_step_required
@never_cache
def two_step_setup(request):
    if has_second_step(request.user):
        return redirect(_after_second_step(request.user) if request.user.is_verified() else "two-step-verify")
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
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        else:
            form.add_error("code", "That code did not match. Check the time on your phone and try the newest code.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/two_step_setup.html", {"form": form, "qr": qr, "secret": secret})


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@second_step_required
@never_cache
def two_step_verify(request):
    if not has_second_step(request.user):
        return redirect("two-step-setup")
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
    return render(request, "accounts/two_step_verify.html", {"form": form})


@patient_required
@never_cache
def account_export(request):
    now = timezone.now()
    trail.record(request, "exported everything", patient=request.user)
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
                trail.record(request, "imported a diary", patient=request.user)
        except portability.NotImportable as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                f"Imported {counts['episodes']} episodes, {counts['checkins']} check-ins "
                f"and {counts['medicines']} medicines.",
            )
            return redirect("reports:dashboard")
    return render(request, "accounts/import.html", {"form": form})


@patient_required
def account_email(request):
    form = EmailChangeForm(request.POST or None, instance=request.user)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            trail.record(request, "changed the e-mail address", patient=request.user)
        messages.success(request, "Your e-mail address is changed.")
        return redirect("logs:profile")
    return render(request, "accounts/email.html", {"form": form})


@patient_required
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if form.is_valid():
        user = request.user
        with transaction.atomic():
            trail.record(request, "deleted the account", patient=user)
            logout(request)
            user.delete()
        messages.success(request, "Your account and everything in it are deleted.")
        return redirect("login")
    return render(request, "accounts/delete.html", {"form": form})
