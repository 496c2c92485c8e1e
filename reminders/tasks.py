"""Daily reminders, sent by the worker (`manage.py run_huey`) every minute."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from reminders import sending


@db_periodic_task(crontab())
def send_reminders() -> None:
    """Each reminder whose time has come, once per local day, claimed before it is sent."""
    for reminder, day in sending.due(timezone.now()):
        if not sending.claim(reminder, day):
            continue  # another worker sent it
        if reminder.by_email:
            sending.email(reminder)
        if reminder.by_push:
            push_reminder(reminder.patient_id)


@db_task()
def push_reminder(patient_id: int) -> None:
    """Notifications as a task of their own, so a slow push service holds up no other patient's reminder."""
    sending.push(patient_id)
