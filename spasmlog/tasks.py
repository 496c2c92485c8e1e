"""The project's background tasks, run by the worker (`manage.py run_huey`)."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from huey.contrib.djhuey import task

# A mail server that is away for a while gets three more tries, ten minutes apart.
DELIVERY_RETRIES = 3
DELIVERY_RETRY_SECONDS = 600


@task(retries=DELIVERY_RETRIES, retry_delay=DELIVERY_RETRY_SECONDS)
def deliver(messages: list[EmailMessage]) -> None:
    """Send e-mails that a request queued (spasmlog.mail)."""
    get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False).send_messages(messages)
