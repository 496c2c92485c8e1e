from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from audit import trail
from audit.models import AuditEvent


class PatientDataAdmin(admin.ModelAdmin):
    """
    The admin of a model that holds patient data, for staff who signed in with the second
    step: records are found by the patient's e-mail address or name, and each list and
    record opened, each change and each deletion is audited with the patient it concerns.
    Every such admin derives from it; tests/test_audit.py walks the admin to check.
    """

    # From a record to its patient, as in a query ("episode__patient"); empty for an account itself.
    patient_path = "patient"
    search_fields = ["patient__email", "patient__display_name"]
    list_select_related: ClassVar[bool | list[str] | tuple[str, ...]] = ["patient"]
    raw_id_fields: ClassVar[list[str] | tuple[str, ...]] = ["patient"]

    def patient_of(self, record: models.Model) -> Any:
        for name in filter(None, self.patient_path.split("__")):
            record = getattr(record, name)
        return record

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        trail.record(request, "listed in the admin", self.model._meta.verbose_name_plural)
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        record = self.get_object(request, unquote(object_id))
        if record is not None:
            trail.record(request, "opened in the admin", record, patient=self.patient_of(record))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "changed in the admin" if change else "added in the admin"
        trail.record(request, action, obj, patient=self.patient_of(obj))

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        trail.record(request, "deleted in the admin", obj, patient=self.patient_of(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            trail.record(request, "deleted in the admin", obj, patient=self.patient_of(obj))
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records to read: nobody adds to them, changes or deletes them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail."""

    list_display = ["at", "actor_ref", "action", "target", "patient_ref", "address"]
    list_filter = ["action"]
    search_fields = ["actor_ref", "patient_ref", "target", "address"]
