from django.contrib import admin

from audit.admin import PatientDataAdmin, ReadOnlyAdmin
from sharing.models import AccessRecord, Clinician, Note, Share


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "registration", "code"]
    search_fields = ["user__email", "user__display_name", "practice", "registration", "code"]
    raw_id_fields = ["user"]


@admin.register(Share)
class ShareAdmin(PatientDataAdmin):
    list_display = ["patient", "via", "clinician", "first_day", "last_day", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["via"]
    raw_id_fields = ["patient", "clinician"]
    readonly_fields = ["token_hash", "secret_hash"]


@admin.register(AccessRecord)
class AccessRecordAdmin(PatientDataAdmin, ReadOnlyAdmin):
    """The access log of shares."""

    patient_path = "share__patient"
    list_display = ["at", "share", "viewer", "what", "address"]
    list_select_related = ["share__patient", "viewer"]
    search_fields = ["share__patient__email", "viewer__email", "address"]
    raw_id_fields = ["share", "viewer"]


@admin.register(Note)
class NoteAdmin(PatientDataAdmin):
    patient_path = "share__patient"
    list_display = ["share", "author", "created_at"]
    list_select_related = ["share__patient", "author"]
    search_fields = ["share__patient__email", "author__email"]
    raw_id_fields = ["share", "author"]
