import json

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import trail
from reminders.forms import ReminderForm, SubscriptionForm, push_available
from reminders.models import PushSubscription, Reminder
from spasmlog.access import patient_json_required, patient_required

# A subscription is a few hundred bytes of JSON; anything much larger is not one.
MAX_SUBSCRIPTION_BODY = 4096


@patient_required
def reminder_settings(request):
    reminder = Reminder.objects.filter(patient=request.user).first() or Reminder(patient=request.user)
    devices = PushSubscription.objects.for_patient(request.user).count()
    form = ReminderForm(request.POST or None, instance=reminder, devices=devices)
    if form.is_valid():
        with transaction.atomic():
            # Only the form's fields: the worker may be marking today's reminder as sent meanwhile.
            reminder, _ = Reminder.objects.update_or_create(
                patient=request.user, defaults={name: form.cleaned_data[name] for name in form.fields}
            )
            trail.record(request, "changed", reminder)
        messages.success(request, "Your reminder is on." if reminder.enabled else "Your reminder is off.")
        return redirect("reminders:settings")
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "devices": devices,
            "push_key": settings.VAPID_PUBLIC_KEY if push_available() else "",
            "zone": request.user.zone,
        },
    )


def _subscription_json(request) -> dict | None:
    """The posted JSON object, if the body is a small one; None for anything else."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > MAX_SUBSCRIPTION_BODY or request.content_type != "application/json":
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    return data if isinstance(data, dict) else None


def _refused(form: SubscriptionForm | None = None) -> JsonResponse:
    """A 400 saying what is wrong, and field by field as a form would."""
    if form is None:
        return JsonResponse({"message": "This is not a browser's push subscription.", "errors": {}}, status=400)
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    reasons = " ".join(message for messages in errors.values() for message in messages)
    return JsonResponse({"message": reasons, "errors": errors}, status=400)


def _devices(request) -> JsonResponse:
    return JsonResponse({"devices": PushSubscription.objects.for_patient(request.user).count()})


@require_POST
@patient_json_required
def push_subscribe(request):
    """Keep a browser's push subscription (PushSubscription.toJSON()) for the signed-in patient."""
    data = _subscription_json(request)
    if data is None:
        return _refused()
    keys = data.get("keys")
    if not isinstance(keys, dict):
        keys = {}
    fields = {"endpoint": data.get("endpoint"), "p256dh": keys.get("p256dh"), "auth": keys.get("auth")}
    form = SubscriptionForm({name: value for name, value in fields.items() if isinstance(value, str)})
    if not form.is_valid():
        return _refused(form)
    with transaction.atomic():
        # One browser, one subscription: a browser that another account allowed before
        # now reminds whoever allowed it last, as its endpoint is known only to that browser.
        subscription, _ = PushSubscription.objects.update_or_create(
            endpoint=form.cleaned_data["endpoint"],
            defaults={
                "patient": request.user,
                "p256dh": form.cleaned_data["p256dh"],
                "auth": form.cleaned_data["auth"],
            },
        )
        trail.record(request, "allowed notifications", subscription)
    return _devices(request)


@require_POST
@patient_json_required
def push_unsubscribe(request):
    """Forget a browser's subscription, when it is the signed-in patient's."""
    data = _subscription_json(request)
    if data is None or not isinstance(data.get("endpoint"), str):
        return _refused()
    with transaction.atomic():
        subscription = PushSubscription.objects.for_patient(request.user).filter(endpoint=data["endpoint"]).first()
        if subscription is not None:
            trail.record(request, "stopped notifications", subscription)
            subscription.delete()
    return _devices(request)


def turn_off(request, token):
    """The page behind the link in each reminder: one button turns reminders off, no sign-in needed."""
    reminder = Reminder.objects.from_off_token(token)
    if reminder is None:
        raise Http404("No such reminder.")
    if request.method == "POST":
        if reminder.enabled:
            reminder.enabled = False
            with transaction.atomic():
                reminder.save(update_fields=["enabled"])
                trail.record(request, "turned off reminders", reminder)
        return redirect("reminders:off", token)
    return render(request, "reminders/turn_off.html", {"reminder": reminder})
