"""
Every form, driven through its view with generated data: each outcome is either
saved and valid, or refused with field errors and nothing saved. Never a 500,
never half a save.

The data comes from the forms' own fields, as hypothesis's `from_form` would
build it, and adds what a person or an attacker might really send: wrong
choices, malformed dates and numbers, odd text, the first and last days Python
knows and the days either side of the bounds, for a patient in a zone on either
side of UTC. Every value every view reads from its query string is generated the
same way, with Unicode digits and huge numbers besides.
"""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.forms import ClinicianSignUpForm, DeleteAccountForm, EmailChangeForm, SignUpForm, TokenForm
from logs.forms import (
    CheckInForm,
    DurationField,
    EpisodeFilterForm,
    EpisodeForm,
    MedicineForm,
    MonthField,
    ProfileForm,
    QuickLogForm,
)
from logs.models import CheckIn, Episode, EpisodeLocation, EpisodeMedicine, EpisodeRelief, Medicine, Profile, User
from reports.forms import SummaryForm
from sharing.forms import NoteForm, SecretForm, ShareForm
from sharing.models import Note, Share
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY
from tests import factories
from tests.conftest import sign_in_with_second_step

EXAMPLES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# Each example draws whole summaries, or prints them: fewer of them.
SUMMARY_EXAMPLES = settings(EXAMPLES, max_examples=25)
PDF_EXAMPLES = settings(EXAMPLES, max_examples=5)
ODD_TEXT = st.text(max_size=40) | st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "2026-02-30", "<script>", "'; --"])
ONE_DAY = timedelta(days=1)
EXTREME_DAYS = [date.min, EARLIEST_DAY - ONE_DAY, EARLIEST_DAY, LATEST_DAY, LATEST_DAY + ONE_DAY, date.max]
DAYS = st.dates() | st.sampled_from(EXTREME_DAYS)
# Pacific/Kiritimati is UTC+14, Etc/GMT+12 is UTC-12: a calendar day apart.
ZONES = st.sampled_from(
    ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/London", "America/New_York", "Pacific/Pago_Pago", "Etc/GMT+12"]
)
NUMBERS = (
    st.integers(min_value=-(10**30), max_value=10**30).map(str)
    | st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=25)
    | st.sampled_from(["²", "١٢", "٣", "１", "9" * 5000, str(2**63), str(2**64)])
)
QUERY_TEXT = ODD_TEXT | NUMBERS | DAYS.map(date.isoformat)
TABLES = [User, Profile, Episode, EpisodeLocation, EpisodeRelief, EpisodeMedicine, CheckIn, Medicine, Share, Note]

# Generated input takes minutes: `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


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
        moments = st.datetimes() | DAYS.map(lambda day: datetime.combine(day, time.min))
        written = moments.map(lambda moment: moment.isoformat(timespec="minutes"))
        return st.tuples(written, st.sampled_from(["", "+14:00", "-12:00", "Z"])).map("".join) | ODD_TEXT
    if isinstance(field, MonthField):
        return (
            DAYS.map(lambda day: day.isoformat()[:7])
            | st.sampled_from(["March 2024", "12/1899", "Dec 3000"])
            | ODD_TEXT
        )
    if isinstance(field, forms.DateField):
        return DAYS.map(date.isoformat) | st.sampled_from(["2024-03", "March 2024"]) | ODD_TEXT
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


def post_form(client, url, data):
    """Post the form: it is shown again or the request goes on, and a refusal saves nothing."""
    before = counts()
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before


def assert_days_within_bounds(record):
    """What the forms saved lies within their bounds; a moment within a day of them, once in UTC."""
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if isinstance(value, datetime):
            assert EARLIEST_DAY - ONE_DAY <= value.date() <= LATEST_DAY + ONE_DAY, (field.name, value)
        elif isinstance(value, date):
            assert EARLIEST_DAY <= value <= LATEST_DAY, (field.name, value)


class FormsNeverBreak(TestCase):
    """Each test drives one form's view 200 times; the database is rolled back between examples."""

    def setUp(self):
        self.patient = factories.UserFactory()
        self.client = Client()
        self.client.force_login(self.patient)

    def tearDown(self):
        # The requests leave the patient's zone active in this thread.
        timezone.deactivate()

    def somewhere(self, data):
        """The patient moves to a zone the example draws."""
        self.patient.time_zone = data.draw(ZONES)
        self.patient.save()

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
                assert_days_within_bounds(record)
        return response

    @EXAMPLES
    @given(data=st.data())
    def test_quick_log(self, data):
        form = QuickLogForm(shortcuts=[("calf", "left")])
        self.post(reverse("logs:quick-log"), data.draw(form_data(form)), valid_models=[Episode, EpisodeLocation])

    @EXAMPLES
    @given(data=st.data())
    def test_episode_form(self, data):
        self.somewhere(data)
        factories.MedicineFactory(patient=self.patient)
        form = EpisodeForm(patient=self.patient)
        self.post(reverse("logs:episode-new"), data.draw(form_data(form)), valid_models=[Episode, EpisodeRelief])

    @EXAMPLES
    @given(data=st.data())
    def test_episode_edit(self, data):
        self.somewhere(data)
        episode = factories.EpisodeFactory(patient=self.patient)
        form = EpisodeForm(patient=self.patient)
        self.post(reverse("logs:episode-edit", args=[episode.pk]), data.draw(form_data(form)), valid_models=[Episode])

    @EXAMPLES
    @given(data=st.data())
    def test_checkin_form(self, data):
        self.somewhere(data)
        self.post(reverse("logs:checkin-new"), data.draw(form_data(CheckInForm())), valid_models=[CheckIn])

    @EXAMPLES
    @given(data=st.data())
    def test_medicine_form(self, data):
        self.somewhere(data)
        self.post(reverse("logs:medicine-new"), data.draw(form_data(MedicineForm())), valid_models=[Medicine])

    @EXAMPLES
    @given(data=st.data())
    def test_profile_form(self, data):
        self.somewhere(data)
        fields = data.draw(form_data(ProfileForm(), prefix="profile-"))
        fields.update(
            data.draw(st.fixed_dictionaries({"account-display_name": ODD_TEXT, "account-time_zone": ZONES | ODD_TEXT}))
        )
        before = counts()
        response = self.client.post(reverse("logs:profile"), fields)
        assert response.status_code in (200, 302)
        assert counts() == before
        self.patient.profile.refresh_from_db()
        self.patient.profile.full_clean()
        assert_days_within_bounds(self.patient.profile)

    @EXAMPLES
    @given(data=st.data())
    def test_email_change(self, data):
        self.post(reverse("account-email"), data.draw(form_data(EmailChangeForm(instance=self.patient))))

    @EXAMPLES
    @given(data=st.data())
    def test_share_form(self, data):
        self.somewhere(data)
        factories.ClinicianFactory(email="dr@example.org")
        form = ShareForm(patient=self.patient, today=datetime(2026, 1, 1).date())
        self.post(reverse("sharing:share-new"), data.draw(form_data(form)), valid_models=[Share])

    @EXAMPLES
    @given(data=st.data())
    def test_summary_period(self, data):
        self.somewhere(data)
        query = data.draw(form_data(SummaryForm(today=datetime(2026, 1, 1).date())))
        for name in ("reports:summary", "reports:summary-fhir"):
            response = self.client.get(reverse(name), query)
            assert response.status_code in (200, 302), response.status_code

    @EXAMPLES
    @given(data=st.data())
    def test_list_filters(self, data):
        self.somewhere(data)
        query = data.draw(form_data(EpisodeFilterForm()))
        for name in ("logs:episode-list", "logs:checkin-list"):
            assert self.client.get(reverse(name), query).status_code == 200

    @EXAMPLES
    @given(data=st.data())
    def test_account_deletion(self, data):
        self.post(reverse("account-delete"), data.draw(form_data(DeleteAccountForm(user=self.patient))))
        assert User.objects.filter(pk=self.patient.pk).exists()  # no generated password is the right one

    @EXAMPLES
    @given(content=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
    def test_import(self, content):
        upload = io.BytesIO(content)
        upload.name = "export.json"
        self.post(reverse("account-import"), {"file": upload})


class SignUpNeverBreaks(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_patient_sign_up(self, data):
        post_form(Client(), reverse("signup"), data.draw(form_data(SignUpForm())))
        for user in User.objects.all():
            user.full_clean(exclude=["password"])

    @EXAMPLES
    @given(data=st.data())
    def test_clinician_sign_up(self, data):
        post_form(Client(), reverse("clinician-signup"), data.draw(form_data(ClinicianSignUpForm())))


class LinksAndSecondStepNeverBreak(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_link_pin(self, data):
        share = factories.LinkShareFactory.build(protection="pin")
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
    def test_link_birth_date(self, data):
        share = factories.LinkShareFactory.build(protection="birth_date")
        share.patient.time_zone = data.draw(ZONES)
        share.patient.save()
        token = share.new_token()
        share.set_secret("1980-02-29")
        share.save()
        answer = data.draw(form_data(SecretForm(protection="birth_date")))
        response = Client().post(reverse("sharing:link", args=[token]), answer)
        assert response.status_code in (200, 302, 429)

    @EXAMPLES
    @given(data=st.data())
    def test_second_step(self, data):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        clinician = factories.ClinicianFactory()
        TOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
        client = Client()
        client.force_login(clinician)
        response = client.post(reverse("two-step-verify"), data.draw(form_data(TokenForm())))
        assert response.status_code in (200, 302)


class ClinicianNoteNeverBreaks(TestCase):
    @EXAMPLES
    @given(data=st.data())
    def test_note(self, data):
        share = factories.ShareFactory()
        client = sign_in_with_second_step(Client(), share.clinician)
        post_form(client, reverse("sharing:share-note", args=[share.pk]), data.draw(form_data(NoteForm())))


class QueryStringsNeverBreak(TestCase):
    """
    Every value every view reads from its query string, generated: the page, a
    redirect to the page that says what is wrong, never a 500.
    """

    def setUp(self):
        self.patient = factories.UserFactory()
        self.episode = factories.EpisodeFactory(patient=self.patient)
        factories.CheckInFactory(patient=self.patient)
        self.client = Client()
        self.client.force_login(self.patient)

    def tearDown(self):
        timezone.deactivate()

    def query(self, data, *names, **fixed):
        """A query string with some of these names, for a patient in a zone the example draws."""
        self.patient.time_zone = data.draw(ZONES)
        self.patient.save()
        return data.draw(st.fixed_dictionaries(fixed, optional=dict.fromkeys(names, QUERY_TEXT)))

    def get(self, client, url, query, statuses=(200, 302)):
        response = client.get(url, query)
        assert response.status_code in statuses, (url, query, response.status_code)
        return response

    @EXAMPLES
    @given(data=st.data())
    def test_quick_log(self, data):
        query = self.query(data, "logged")
        response = self.get(self.client, reverse("logs:quick-log"), query, (200,))
        assert response.context["logged"] in (None, self.episode)

    @EXAMPLES
    @given(data=st.data())
    def test_list_filters_and_pages(self, data):
        query = self.query(data, "start", "end", "region", "page")
        for name in ("logs:episode-list", "logs:checkin-list"):
            response = self.get(self.client, reverse(name), query, (200,))
            filters = response.context["filters"]
            if filters.is_bound and not filters.is_valid():
                assert len(response.context["page"].object_list) == 1, "not the whole list"
                page = response.content.decode()
                for field, errors in filters.errors.items():
                    assert all(escape(error) in page for error in errors)
                    if field in ("start", "end"):
                        assert f'value="{escape(query[field])}"' in page, "what was typed is gone"

    @EXAMPLES
    @given(data=st.data())
    def test_check_in_day(self, data):
        self.get(self.client, reverse("logs:checkin-new"), self.query(data, "day"))

    @EXAMPLES
    @given(data=st.data())
    def test_summary_and_downloads(self, data):
        query = self.query(
            data, "since", "start", "end", "appendix", period=st.sampled_from(["30", "since", "range"]) | QUERY_TEXT
        )
        for url in (
            reverse("reports:summary"),
            reverse("reports:summary-csv", args=["episodes"]),
            reverse("reports:summary-fhir"),
        ):
            self.get(self.client, url, query)

    @PDF_EXAMPLES
    @given(data=st.data())
    def test_paper_and_appendix_of_every_pdf(self, data):
        query = self.query(data, "paper", "appendix", period=st.just("30"))
        share = factories.ShareFactory(patient=self.patient, include_episodes=True)
        link = factories.LinkShareFactory.build(patient=self.patient)
        token = link.new_token()
        link.include_episodes = True
        link.save()
        clinician = sign_in_with_second_step(Client(), share.clinician)
        for client, url in (
            (self.client, reverse("reports:summary-pdf")),
            (clinician, reverse("sharing:clinician-share-pdf", args=[share.pk])),
            (Client(), reverse("sharing:link-pdf", args=[token])),
        ):
            response = self.get(client, url, query, (200,))
            assert response["Content-Type"] == "application/pdf"

    @SUMMARY_EXAMPLES
    @given(data=st.data())
    def test_shared_pages_and_the_second_step(self, data):
        query = self.query(data, "appendix", "next")
        share = factories.ShareFactory(patient=self.patient, include_episodes=data.draw(st.booleans()))
        link = factories.LinkShareFactory.build(patient=self.patient)
        token = link.new_token()
        link.save()
        clinician = sign_in_with_second_step(Client(), share.clinician)
        for name in ("sharing:clinician-share", "sharing:clinician-share-fhir", "two-step-verify"):
            self.get(clinician, reverse(name, args=[share.pk] if "share" in name else []), query)
        self.get(clinician, reverse("sharing:clinician-share-csv", args=[share.pk, "medicines"]), query)
        anonymous = Client()
        for name in ("sharing:link", "sharing:link-fhir"):
            self.get(anonymous, reverse(name, args=[token]), query)
        self.get(anonymous, reverse("sharing:link-csv", args=[token, "medicines"]), query)
