"""
The dashboard, the summary, and every download of a summary: the patient's
own, a clinician's through an accepted share, and a link's. A download view
per audience takes the format (PDF, CSV, FHIR); a share gives only what it covers.
"""

import functools
from collections.abc import Callable
from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from logs import red_flags
from logs.models import User
from reports import exports, fhir, summary
from reports.forms import SummaryForm
from sharing import access
from sharing.models import Share
from spasmlog.access import View, clinician_required, patient_required
from spasmlog.dates import Period


@patient_required
def dashboard(request):
    now = timezone.now()
    context = summary.glance(request.user, now)
    context["red_flag_warnings"] = red_flags.warnings(request.user, now)
    return render(request, "reports/dashboard.html", context)


def summary_downloads(
    url: Callable[..., str], query: str, covers: Callable[[str], bool] | None = None
) -> list[tuple[str, str, bool]]:
    """
    The links to print and download a summary, url(format, *args) giving each address.
    A share passes covers(part) (Share.covers), which leaves out what it does not show.
    """
    query = f"?{query}" if query else ""
    joiner = "&" if query else "?"
    downloads = [
        ("summary", "PDF (A4)", f"{url('pdf')}{query}{joiner}paper=a4", True),
        ("summary", "PDF (Letter)", f"{url('pdf')}{query}{joiner}paper=letter", True),
        ("episodes", "Episodes (CSV)", f"{url('csv', 'episodes')}{query}", False),
        ("checkins", "Check-ins (CSV)", f"{url('csv', 'checkins')}{query}", False),
        ("medicines", "Medicines (CSV)", f"{url('csv', 'medicines')}{query}", False),
        ("fhir", "FHIR (JSON)", f"{url('fhir')}{query}", False),
    ]
    return [(label, address, main) for part, label, address, main in downloads if covers is None or covers(part)]


def render_summary(
    request: HttpRequest, patient: User, period: Period, *, appendix: bool = False, **context: Any
) -> HttpResponse:
    """The summary page of a patient's period, in the patient's zone whoever reads it."""
    with timezone.override(patient.zone):
        context.update(summary.build_summary(patient, period, timezone.now(), appendix=appendix))
        return render(request, "reports/summary.html", {"base_template": "base.html", **context})


def download(request, patient, period, fmt, what=None, *, appendix=False, entries=True) -> HttpResponse:
    """
    A summary's file: the PDF (with the appendix if asked), a CSV of `what`,
    or the FHIR bundle (with the episodes and check-ins if `entries`).
    """
    if fmt == "pdf":
        paper = request.GET.get("paper", "a4")
        if paper not in exports.PAPER_SIZES:
            paper = "a4"
        with timezone.override(patient.zone):
            context = summary.build_summary(patient, period, timezone.now(), appendix=appendix)
            html = render_to_string(
                "reports/summary.html", {**context, "base_template": "reports/print_base.html"}, request
            )
        response = HttpResponse(exports.pdf(html, paper), content_type="application/pdf")
        what, extension = "summary", "pdf"
    elif fmt == "csv":
        write = exports.CSV_EXPORTS.get(what)
        if write is None:
            raise Http404("No such export.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write(response, patient, period)
        extension = "csv"
    else:
        bundle = fhir.bundle(patient, period, timezone.now(), entries=entries)
        response = HttpResponse(orjson.dumps(bundle), content_type="application/fhir+json; charset=utf-8")
        what, extension = "fhir", "json"
    response["Content-Disposition"] = content_disposition_header(
        True, exports.file_name(patient, period.slug(), what, extension)
    )
    return response


# The patient's own.


def _summary_form(request):
    # The middleware has made the patient's zone the current one.
    return SummaryForm(request.GET or None, today=timezone.localdate())


def _own_download_url(fmt, *args):
    return reverse(f"reports:summary-{fmt}", args=args)


@patient_required
@never_cache
def summary_page(request):
    form = _summary_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "reports/summary.html", {"base_template": "base.html", "form": form})
    downloads = summary_downloads(_own_download_url, request.GET.urlencode())
    return render_summary(
        request, request.user, form.summary_period(), appendix=form.wants_appendix(), form=form, downloads=downloads
    )


def _valid_period(view: View) -> View:
    """Downloads send a period that does not validate back to the page, which says why."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        form = _summary_form(request)
        if form.is_bound and not form.is_valid():
            return redirect(reverse("reports:summary") + "?" + request.GET.urlencode())
        return view(request, form, *args, **kwargs)

    return wrapper


@patient_required
@never_cache
@_valid_period
def summary_download(request, form, fmt, what=None):
    return download(request, request.user, form.summary_period(), fmt, what, appendix=form.wants_appendix())


# A share's, by account or by link: each only what the share covers.


def share_download(request: HttpRequest, share: Share, fmt: str, what: str | None = None) -> HttpResponse:
    if not share.covers({"pdf": "summary", "csv": what or "", "fhir": "fhir"}[fmt]):
        raise Http404("Not in this share.")
    appendix = access.wants_appendix(request, share)
    response = download(
        request, share.patient, share.period, fmt, what, appendix=appendix, entries=share.covers("entries")
    )
    if fmt == "pdf":
        access.record(request, share, "PDF with the episodes" if appendix else "PDF")
    else:
        access.record(request, share, f"{what} CSV" if fmt == "csv" else "FHIR export")
    return response


@clinician_required
@never_cache
def clinician_download(request, pk, fmt, what=None):
    return share_download(request, access.open_share(request, pk), fmt, what)


@access.link_required
def link_download(request, share, fmt, what=None):
    return share_download(request, share, fmt, what)
