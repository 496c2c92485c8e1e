from datetime import timedelta

import factory
from django.utils import timezone

from logs.models import CheckIn, Episode, EpisodeLocation, Medicine, Profile, User
from sharing.models import Clinician, Share

PASSWORD = "a-long-test-password"


class AccountFactory(factory.django.DjangoModelFactory):
    """What a patient's and a clinician's account share: a name, a zone, and PASSWORD to sign in with."""

    class Meta:
        skip_postgeneration_save = True

    display_name = factory.Faker("name")
    time_zone = "Europe/London"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UserFactory(AccountFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="patient")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    patient = factory.SubFactory(UserFactory, profile=None)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode
        skip_postgeneration_save = True

    patient = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    duration_seconds = 90
    kind = "cramp"
    intensity = 5
    location = factory.RelatedFactory(
        "tests.factories.LocationFactory", factory_related_name="episode", region="calf", side="left"
    )


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpisodeLocation

    episode = factory.SubFactory(EpisodeFactory, location=None)
    region = "calf"
    side = "left"


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    patient = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(lambda: timezone.localdate())
    penn_frequency = 2
    penn_severity = 1
    sleep_hours = 7
    stress = 3


class MedicineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medicine

    patient = factory.SubFactory(UserFactory)
    name = "Baclofen"
    dose = "10 mg"
    purpose = "spasms"


class ClinicianFactory(AccountFactory):
    """A clinician's account: no diary, a practice and a code."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"clinician{n}@example.org")
    is_clinician = True
    clinician = factory.RelatedFactory(
        "tests.factories.ClinicianRecordFactory", factory_related_name="user", practice="Riverside Clinic"
    )


class ClinicianRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinician

    user = factory.SubFactory(ClinicianFactory, clinician=None)
    practice = "Riverside Clinic"


class ShareFactory(factory.django.DjangoModelFactory):
    """A share to a clinician's account, accepted, of the last 90 days, for 14 days."""

    class Meta:
        model = Share

    patient = factory.SubFactory(UserFactory)
    via = "clinician"
    clinician = factory.SubFactory(ClinicianFactory)
    first_day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=89))
    last_day = factory.LazyFunction(timezone.localdate)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    accepted_at = factory.LazyFunction(timezone.now)


class LinkShareFactory(ShareFactory):
    """A share by link: no clinician's account, and never accepted."""

    via = "link"
    clinician = None
    accepted_at = None
