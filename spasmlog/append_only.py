"""Records written once and then kept as they are, such as the audit trail and the log of looks at a share."""

from typing import Any, NoReturn

from django.db import models
from django.utils.text import capfirst


class AppendOnly(models.Model):
    """A model whose records are added and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{capfirst(self._meta.verbose_name_plural)} are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError(f"{capfirst(self._meta.verbose_name_plural)} are never deleted.")
