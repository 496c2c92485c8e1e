from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Long passphrases are welcome, up to a length that hashing cannot be made to choke on."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
