"""
Which daily reminders are due, and sending them. Only the worker calls these
(reminders.tasks), never a request. What is sent holds no health data: it says
it is time for today's check-in, with a link, and nothing of the diary.
"""

import json
import logging
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from pywebpush import WebPushException, webpush

from logs.models import CheckIn
from reminders.models import PushSubscription, Reminder

logger = logging.getLogger(__name__)

TEXT = "Time for today's check-in"
# A reminder that waits hours for a phone to come online is stale: the push service drops it.
PUSH_TTL_SECONDS = 4 * 60 * 60
# pywebpush would otherwise wait almost three hours for a push service that does not answer.
PUSH_TIMEOUT_SECONDS = 10
# A push service answers these for a subscription the browser has given up.
GONE = {404, 410}


def local_day_if_due(reminder: Reminder, now: datetime) -> date | None:
    """
    The patient's local day, if the reminder's time of day has come on it and no reminder
    went out on it yet. The time is compared as the clock on the wall shows it, so a time
    that a spring-forward day skips comes with the first minute after the gap, and one that
    a fall-back day repeats comes the first time (the day's reminder is then sent).
    """
    local = now.astimezone(reminder.patient.zone)
    today = local.date()
    if reminder.last_sent_on is not None and reminder.last_sent_on >= today:
        return None
    return today if local.time() >= reminder.at else None


def due(now: datetime) -> list[tuple[Reminder, date]]:
    """
    Reminders to send now, each with the patient's local day: turned on, for an active
    patient, the time come that day, none sent that day, and no check-in yet for it.
    """
    # Every turned-on reminder, one row a patient: which are due depends on each one's zone.
    reminders = Reminder.objects.filter(
        enabled=True, patient__is_active=True, patient__is_clinician=False
    ).select_related("patient")
    waiting = [(reminder, day) for reminder in reminders if (day := local_day_if_due(reminder, now)) is not None]
    if not waiting:
        return []
    checked_in = set(
        CheckIn.objects.filter(
            patient__in=[reminder.patient_id for reminder, _ in waiting], day__in={day for _, day in waiting}
        ).values_list("patient_id", "day")
    )
    return [(reminder, day) for reminder, day in waiting if (reminder.patient_id, day) not in checked_in]


def claim(reminder: Reminder, day: date) -> bool:
    """
    Mark the day's reminder as sent, in one conditional update, before sending it: of two
    workers that found it due, only one claims it, so no patient is reminded twice a day.
    """
    unsent = Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day)
    return Reminder.objects.filter(unsent, pk=reminder.pk, enabled=True).update(last_sent_on=day) == 1


def site_address(path: str) -> str:
    """An absolute address on the site, for what is read outside it (an e-mail)."""
    return settings.SITE_URL.rstrip("/") + path


def email(reminder: Reminder) -> None:
    """The reminder by e-mail, with a link that turns reminders off without signing in."""
    off = site_address(reverse("reminders:off", args=[reminder.off_token()]))
    body = render_to_string(
        "reminders/reminder_email.txt",
        {"checkin": site_address(reverse("logs:checkin-new")), "off": off, "reminder": reminder},
    )
    # Mail programs offer their own "unsubscribe" with this header; it opens the same page.
    EmailMessage(TEXT, body, to=[reminder.patient.email], headers={"List-Unsubscribe": f"<{off}>"}).send()


def push(patient_id: int) -> None:
    """The reminder to each device of the patient that allows notifications."""
    if not (settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY):
        return
    data = json.dumps({"title": "SpasmLog", "body": TEXT, "url": reverse("logs:checkin-new")})
    for subscription in PushSubscription.objects.filter(patient_id=patient_id):
        push_to(subscription, data)


def push_to(subscription: PushSubscription, data: str) -> None:
    try:
        webpush(
            subscription.info(),
            data=data,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # A new dict each time: pywebpush writes the audience (the push service) into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE:
            subscription.delete()
            return
        # Neither the endpoint nor the push service's answer is logged: the endpoint is a
        # secret, and the answer may repeat it.
        logger.warning("A push service refused reminder to device %s (status %s).", subscription.pk, status)
    except (OSError, ValueError) as error:
        # A connection error's text (requests' exceptions are OSErrors) names the endpoint's
        # path: only its kind is logged.
        logger.warning("Could not reach the push service of device %s (%s).", subscription.pk, type(error).__name__)
