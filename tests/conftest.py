import pytest
from django.core.cache import cache

from spasmlog.dates import EARLIEST_DAY, LATEST_DAY
from tests.factories import UserFactory

# Days a date field refuses, the first and last days Python knows among them, with what the field says.
DAYS_BEYOND_THE_BOUNDS = [
    ("0001-01-01", f"Pick a day from {EARLIEST_DAY.year} on."),
    ("1899-12-31", f"Pick a day from {EARLIEST_DAY.year} on."),
    ("3000-01-01", f"Pick a day in {LATEST_DAY.year} or before."),
    ("9999-12-31", f"Pick a day in {LATEST_DAY.year} or before."),
]


@pytest.fixture(autouse=True)
def mail_through_the_queue(settings):
    """
    Test mail goes through the queue, as in production, into Django's outbox (mail.outbox);
    the test environment would otherwise put the outbox in the queue's place.
    """
    settings.EMAIL_BACKEND = "spasmlog.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing counted: the limits count in the cache, which may be shared (REDIS_URL)."""
    cache.clear()


@pytest.fixture
def patient(db):
    return UserFactory()


@pytest.fixture
def other_patient(db):
    return UserFactory()


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


def sign_in_with_second_step(client, clinician):
    """A clinician's session after the authenticator code, as django-otp records it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
    client.force_login(clinician)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def clinician(db):
    from tests.factories import ClinicianFactory

    return ClinicianFactory()


@pytest.fixture
def clinician_client(client, clinician):
    return sign_in_with_second_step(client, clinician)
