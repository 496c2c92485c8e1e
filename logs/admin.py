from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from logs import audit
from logs.models import (
    AuditEvent,
    CheckIn,
    Episode,
    EpisodeLocation,
    EpisodeMedicine,
    EpisodeRelief,
    Medicine,
    Profile,
    User,
)


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
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]

    def patient_of(self, record):
        for name in filter(None, self.patient_path.split("__")):
            record = getattr(record, name)
        return record

    def changelist_view(self, request, extra_context=None):
        audit.record(request, "listed in the admin", self.model._meta.verbose_name_plural)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, admin.utils.unquote(object_id))
        if record is not None:
            audit.record(request, "opened in the admin", record, patient=self.patient_of(record))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "changed in the admin" if change else "added in the admin"
        audit.record(request, action, obj, patient=self.patient_of(obj))

    def delete_model(self, request, obj):
        audit.record(request, "deleted in the admin", obj, patient=self.patient_of(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(request, "deleted in the admin", obj, patient=self.patient_of(obj))
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(PatientDataAdmin, BaseUserAdmin):
    # An account is its own patient, reached through no other record.
    patient_path = ""
    list_select_related = raw_id_fields = ()
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "is_clinician", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Account", {"fields": ["display_name", "time_zone", "is_clinician"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records to read: nobody adds to them, changes or deletes them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail."""

    list_display = ["at", "actor_ref", "action", "target", "patient_ref", "address"]
    list_filter = ["action"]
    search_fields = ["actor_ref", "patient_ref", "target", "address"]


@admin.register(Profile)
class ProfileAdmin(PatientDataAdmin):
    list_display = ["patient", "first_noticed", "updated_at"]


class LocationInline(admin.TabularInline):
    model = EpisodeLocation
    extra = 0


class ReliefInline(admin.TabularInline):
    model = EpisodeRelief
    extra = 0


class EpisodeMedicineInline(admin.TabularInline):
    model = EpisodeMedicine
    extra = 0
    raw_id_fields = ["medicine"]


@admin.register(Episode)
class EpisodeAdmin(PatientDataAdmin):
    list_display = ["patient", "started_at", "kind", "intensity", "duration_seconds"]
    list_filter = ["kind"]
    date_hierarchy = "started_at"
    inlines = [LocationInline, ReliefInline, EpisodeMedicineInline]


@admin.register(CheckIn)
class CheckInAdmin(PatientDataAdmin):
    list_display = ["patient", "day", "penn_frequency", "penn_severity", "sleep_hours", "stress"]
    date_hierarchy = "day"


@admin.register(Medicine)
class MedicineAdmin(PatientDataAdmin):
    list_display = ["patient", "name", "dose", "purpose", "kind", "started", "stopped"]
    list_filter = ["purpose", "kind"]


@admin.register(EpisodeLocation)
class EpisodeLocationAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "region", "side"]
    list_filter = ["region", "side"]
    list_select_related = ["episode"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode"]


@admin.register(EpisodeRelief)
class EpisodeReliefAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "measure", "helped"]
    list_select_related = ["episode"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode"]


@admin.register(EpisodeMedicine)
class EpisodeMedicineAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "medicine", "dose"]
    list_select_related = ["episode", "medicine"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode", "medicine"]
