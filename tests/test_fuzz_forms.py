"""
Every form, driven through its view with generated data: each outcome is either
saved and valid, or refused with field errors and nothing saved. Never a 500,
never half a save.

The data comes from the forms' own fields, as hypothesis's `from_form` would
build it, and adds what a person or an attacker might really send: wrong
choices, malformed dates and numbers, odd text.
"""

import io
from datetime import datetime

from django import forms
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from logs.forms import (
    CheckInForm,
    DeleteAccountForm,
    DurationField,
    EmailChangeForm,
    EpisodeFilterForm,
    EpisodeForm,
    MedicineForm,
    ProfileForm,
    QuickLogForm,
    SignUpForm,
    SummaryForm,
)
from logs.models import CheckIn, Episode, EpisodeLocation, EpisodeMedicine, EpisodeRelief, Medicine, Profile, User
from sharing.forms import ClinicianSignUpForm, NoteForm, SecretForm, ShareForm, TokenForm
from sharing.models import Note, Share
from tests.conftest import sign_in_with_second_step
from tests.factories import ClinicianFactory, EpisodeFactory, MedicineFactory, ShareFactory, UserFactory

EXAMPLES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
ODD_TEXT = st.text(max_size=40) | st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "2026-02-30", "<script>", "'; --"])
TABLES = [User, Profile, Episode, EpisodeLocation, EpisodeRelief, EpisodeMedicine, CheckIn, Medicine, Share, Note]


def _choices(field):
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            values += [str(v) for v, _ in label]
        else:
            values.append(str(value))
    return values


def value_for(field):
    """What a browser, or someone pretending to be one, might send for a field."""
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "yes"])
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(_choices(field) or [""]) | ODD_TEXT, max_size=4)
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from(_choices(field) or [""]) | ODD_TEXT
    if isinstance(field, forms.DateTimeField):
        moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
        return moments.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")) | ODD_TEXT
    if isinstance(field, forms.DateField):
        return st.dates().map(lambda day: day.isoformat()) | st.sampled_from(["2024-03", "March 2024"]) | ODD_TEXT
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        numbers = st.integers(min_value=-(10**12), max_value=10**12).map(str)
        return numbers | st.decimals(allow_nan=True, places=3).map(str) | ODD_TEXT
    if isinstance(field, DurationField):
        return st.sampled_from(["45s", "2 min", "1h 5m", "1:30", "0", "25h", "90"]) | ODD_TEXT
    if isinstance(field, forms.EmailField):
        return st.emails().map(str) | ODD_TEXT
    return ODD_TEXT


def form_data(form, prefix=""):
    """A strategy of POST data for a form: some fields sent, some left out."""
    names = {f"{prefix}{name}": value_for(field) for name, field in form.fields.items()}
    return st.fixed_dictionaries({}, optional=names)


def counts():
    return [table.objects.count() for table in TABLES]


class FormsNeverBreak(TestCase):
    """Each test drives one form's view 200 times; the database is rolled back between examples."""

    def setUp(self):
        self.patient = UserFactory()
        self.client = Client()
        self.client.force_login(self.patient)

    def post(self, url, data, *, valid_models=()):
        before = counts()
        response = self.client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            form = response.context.get("form")
            if form is not None and form.is_bound:  # an empty POST shows the form afresh
                assert form.errors, "refused without saying why"
            assert counts() == before, "a refused form saved something"
        for model in valid_models:
            for record in model.objects.all():
                record.full_clean()
        return response

    @EXAMPLES
    @given(data=st.data())
    def test_quick_log(self, data):
        form = QuickLogForm(shortcuts=[("calf", "left")])
        self.post(reverse("logs:quick-log"), data.draw(form_data(form)), valid_models=[Episode, EpisodeLocation])

    @EXAMPLES
    @given(data=st.data())
    def test_episode_form(self, data):
        MedicineFactory(patient=self.patient)
        form = EpisodeForm(patient=self.patient)
        self.post(reverse("logs:episode-new"), data.draw(form_data(form)), valid_models=[Episode, EpisodeRelief])

    @EXAMPLES
    @given(data=st.data())
    def test_episode_edit(self, data):
        episode = EpisodeFactory(patient=self.patient)
        form = EpisodeForm(patient=self.patient)
        self.post(reverse("logs:episode-edit", args=[episode.pk]), data.draw(form_data(form)), valid_models=[Episode])

    @EXAMPLES
    @given(data=st.data())
    def test_checkin_form(self, data):
        self.post(reverse("logs:checkin-new"), data.draw(form_data(CheckInForm())), valid_models=[CheckIn])

    @EXAMPLES
    @given(data=st.data())
    def test_medicine_form(self, data):
        self.post(reverse("logs:medicine-new"), data.draw(form_data(MedicineForm())), valid_models=[Medicine])

    @EXAMPLES
    @given(data=st.data())
    def test_profile_form(self, data):
        fields = data.draw(form_data(ProfileForm(), prefix="profile-"))
        fields.update(
            data.draw(st.fixed_dictionaries({"account-display_name": ODD_TEXT, "account-time_zone": ODD_TEXT}))
        )
        before = counts()
        response = self.client.post(reverse("logs:profile"), fields)
        assert response.status_code in (200, 302)
        assert counts() == before
        self.patient.profile.refresh_from_db()
        self.patient.profile.full_clean()

    @EXAMPLES
    @given(data=st.data())
    def test_email_change(self, data):
        self.post(reverse("logs:account-email"), data.draw(form_data(EmailChangeForm(instance=self.patient))))

    @EXAMPLES
    @given(data=st.data())
    def test_share_form(self, data):
        ClinicianFactory(email="dr@example.org")
        form = ShareForm(patient=self.patient, today=datetime(2026, 1, 1).date())
        self.post(reverse("sharing:share-new"), data.draw(form_data(form)), valid_models=[Share])

    @EXAMPLES
    @given(data=st.data())
    def test_summary_period(self, data):
        query = data.draw(form_data(SummaryForm(today=datetime(2026, 1, 1).date())))
        for name in ("logs:summary", "logs:summary-fhir"):
            response = self.client.get(reverse(name), query)
            assert response.status_code in (200, 302), response.status_code

    @EXAMPLES
    @given(data=st.data())
    def test_list_filters(self, data):
        query = data.draw(form_data(EpisodeFilterForm()))
        for name in ("logs:episode-list", "logs:checkin-list"):
            assert self.client.get(reverse(name), query).status_code == 200

    @EXAMPLES
    @given(data=st.data())
    def test_account_deletion(self, data):
        self.post(reverse("logs:account-delete"), data.draw(form_data(DeleteAccountForm(user=self.patient))))
        assert User.objects.filter(pk=self.patient.pk).exists()  # no generated password is the right one

    @EXAMPLES
    @given(content=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
    def test_import(self, content):
        upload = io.BytesIO(content)
        upload.name = "export.json"
        self.post(reverse("logs:account-import"), {"file": upload})


class SignUpNeverBreaks(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_patient_sign_up(self, data):
        before = counts()
        response = Client().post(reverse("signup"), data.draw(form_data(SignUpForm())))
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert counts() == before
        for user in User.objects.all():
            user.full_clean(exclude=["password"])

    @EXAMPLES
    @given(data=st.data())
    def test_clinician_sign_up(self, data):
        before = counts()
        response = Client().post(reverse("sharing:clinician-signup"), data.draw(form_data(ClinicianSignUpForm())))
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert counts() == before


class LinksAndSecondStepNeverBreak(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_link_pin(self, data):
        share = ShareFactory.build(via="link", clinician=None, accepted_at=None, protection="pin")
        share.patient.save()
        token = share.new_token()
        share.set_secret("4711")
        share.save()
        response = Client().post(
            reverse("sharing:link", args=[token]), data.draw(form_data(SecretForm(protection="pin")))
        )
        assert response.status_code in (200, 302, 429)

    @EXAMPLES
    @given(data=st.data())
    def test_second_step(self, data):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        clinician = ClinicianFactory()
        TOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
        client = Client()
        client.force_login(clinician)
        response = client.post(reverse("sharing:two-step-verify"), data.draw(form_data(TokenForm())))
        assert response.status_code in (200, 302)


class ClinicianNoteNeverBreaks(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_note(self, data):
        share = ShareFactory()
        client = sign_in_with_second_step(Client(), share.clinician)
        before = counts()
        response = client.post(reverse("sharing:share-note", args=[share.pk]), data.draw(form_data(NoteForm())))
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert counts() == before
