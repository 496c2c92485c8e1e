import logging
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts import limits, portability
from accounts.models import PendingAccount
from logs.forms import TIME_ZONE_CHOICES, form_helper
from logs.models import User, normalise_email


class SignUpForm(forms.ModelForm):
    """
    Who is signing up. No password: it is chosen on the page the e-mailed link
    opens (OpenAccountForm), by whoever holds the link.
    """

    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text="Your device's zone is filled in for you; change it if it is wrong.",
    )

    # The fields as the page lays them out, and the button under them.
    layout_fields = ["email", "display_name", "time_zone"]
    submit_label = "Create account"

    class Meta:
        model = User
        fields = ["email", "display_name", "time_zone"]
        help_texts = {"display_name": "How your name appears on your summary."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        if not self.is_bound:
            self.fields["time_zone"].widget.attrs["data-browser-zone"] = "1"
        self.helper = form_helper(*self.layout_fields, submit=self.submit_label)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def validate_unique(self) -> None:
        """An address that has an account is not refused here: that would tell anyone it exists."""


class OpenAccountForm(auth_forms.SetPasswordMixin, forms.Form):
    """The password of an account about to open, chosen on the page the e-mailed link opens."""

    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(label2="Password again")

    def __init__(self, *args: Any, pending: PendingAccount, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending = pending
        self.helper = form_helper("password1", "password2", submit="Open my account")

    def clean(self) -> dict[str, Any] | None:
        self.validate_passwords()
        # Checked against the address and name the account will have.
        self.validate_password_for_user(self.pending.new_account())
        return super().clean()


RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"


# Django's own logger for failed password reset e-mails.
auth_logger = logging.getLogger("django.contrib.auth")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """
    Django's, with the same work whether or not an account uses the address:
    one e-mail either way (a link, or a note that no account uses it), within
    the limit on account e-mails. Django's own sends nothing to an unknown
    address, which answers sooner and so tells which addresses have accounts.
    """

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def get_users(self, email: str) -> list[User]:
        """The accounts that may set a new password, looked up by the address as stored."""
        users = [
            user
            for user in User.objects.filter(email=normalise_email(email), is_active=True)
            if user.has_usable_password()
        ]
        self.found_account = bool(users)
        return users

    # Keyword arguments only, as PasswordResetView passes them: the limit needs the request.
    def save(  # type: ignore[override]
        self,
        *,
        request: HttpRequest,
        from_email: str | None = None,
        subject_template_name: str = RESET_SUBJECT_TEMPLATE,
        **kwargs: Any,
    ) -> None:
        email = self.cleaned_data["email"]
        if not limits.may_send_account_email(request, email):
            return
        super().save(request=request, from_email=from_email, subject_template_name=subject_template_name, **kwargs)
        if self.found_account:
            return
        subject = "".join(render_to_string(subject_template_name).splitlines())
        body = render_to_string(
            "registration/password_reset_unknown_email.txt",
            {"email": email, "signup": request.build_absolute_uri(reverse("signup"))},
        )
        try:
            send_mail(subject, body, from_email, [email])
        except Exception:
            # As Django's own branch does for an account's link: the page answers the same.
            auth_logger.exception("Failed to send the note that no account uses an address")


class CurrentPasswordMixin(forms.BaseForm):
    """
    Changes to the account itself ask for the current password again. Wrong
    ones are counted for the account (accounts.limits); past the limit no password
    is checked, the right one included, until the window ends.
    """

    def add_current_password(self, user: User) -> None:
        self.user = user
        self.fields["current_password"] = forms.CharField(
            label="Your current password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )

    def clean_current_password(self) -> str:
        return self.checked_current_password(self.cleaned_data["current_password"])

    resting_message = f"Too many wrong passwords. Wait {limits.CURRENT_PASSWORD_WINDOW // 60} minutes, then try again."

    def checked_current_password(self, password: str) -> str:
        if limits.current_password_resting(self.user):
            raise forms.ValidationError(self.resting_message, code="resting")
        if not self.user.check_password(password):
            if limits.count_wrong_current_password(self.user):
                raise forms.ValidationError(self.resting_message, code="resting")
            raise forms.ValidationError("That is not your current password.", code="password_incorrect")
        return password


class EmailChangeForm(CurrentPasswordMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email"]
        labels = {"email": "New e-mail address"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_current_password(self.instance)
        self.helper = form_helper("email", "current_password", submit="Change e-mail address")

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        email = cleaned.get("email")
        # Only once the current password is right: to anyone else the form says nothing about an address.
        password_right = "current_password" in cleaned
        if email and password_right and User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            self.add_error("email", "That address cannot be used. Choose another.")
        return cleaned

    def validate_unique(self) -> None:
        """Checked in clean(), after the current password."""


class DeleteAccountForm(CurrentPasswordMixin, forms.Form):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_current_password(user)
        self.helper = form_helper("current_password", submit=None)


class PasswordChangeForm(CurrentPasswordMixin, auth_forms.PasswordChangeForm):
    """Django's, with the current password counted like the other changes to the account."""

    def clean_old_password(self) -> str:
        return self.checked_current_password(self.cleaned_data["old_password"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label="A SpasmLog export",
        help_text=f"The ZIP from “Export everything”, or the spasmlog.json inside it; "
        f"up to {portability.MAX_UPLOAD_BYTES // portability.MB} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.json,application/zip,application/json"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("file", submit="Import")

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # Django has stored the whole upload by now; portability.read_upload reads it within the limit again.
        if upload.size > portability.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {portability.MAX_UPLOAD_BYTES // portability.MB} MB.")
        return upload


class ClinicianSignUpForm(SignUpForm):
    practice = forms.CharField(label="Practice or clinic", max_length=200)
    registration = forms.CharField(
        label="Professional registration number",
        max_length=100,
        required=False,
        help_text="As your licensing body writes it; patients see it beside your name.",
    )
    layout_fields = ["email", "display_name", "practice", "registration", "time_zone"]
    submit_label = "Create clinician account"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].help_text = "Your name as patients know it."


class TokenForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args: Any, submit: str = "Continue", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("code", submit=submit)

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())
