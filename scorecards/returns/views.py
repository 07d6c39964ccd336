"""Officers' pages for the SSDA903 return: upload and compute, preview, confirm or discard, data-quality list.

Every page is for the authority's officers, approvers and administrators only (``ENTER_ROLES``): board members
and other councils' users get 404, as for an authority that does not exist. The uploaded files live in the
request's private folder (``uploads``) and are read into memory there; only the computed figures and the
data-quality list are kept.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from authorities.access import ENTER_ROLES, authority_for_user
from scorecards.core.exports import escape_formula
from scorecards.models import ReturnImport, ReturnState

from . import selectors, services
from .reader import ReturnError, ReturnTables, read_csv_files, read_xml
from .uploads import FILE_TOO_LARGE, REQUEST_ATTRIBUTE, SUFFIXES, WRONG_TYPE

PROBLEMS_PER_PAGE = 100
PROBLEM_COLUMNS = ("table", "row", "child", "rule", "message")

NO_FILES = (
    "Choose the return's files: its CSV tables (at least episodes.csv; missing.csv and oc2.csv for the figures "
    "that need them) or the XML return."
)
MIXED_FILES = "Upload either the return's CSV tables or its XML file, not both."
ONE_XML = "Upload one XML return at a time."
PREVIEW_CHANGED = (
    "The figures held changed since this preview was shown, so nothing was written. Check the preview again "
    "and confirm."
)
WRITTEN = "Wrote the figures computed from {files}: {summary}."
DISCARDED = "Discarded the figures computed from {files}; nothing was written."
PROBLEMS_DELETED = "Deleted the data-quality list ({count} problem{plural})."


def _return_import(request: HttpRequest, code: str, return_id: int):
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    return authority, role, get_object_or_404(ReturnImport, pk=return_id, authority=authority)


def _read(files, *, max_bytes: int) -> ReturnTables:
    """The return's tables from the uploaded files, read into memory; ``ReturnError`` names file, row, column."""
    xml = [file for file in files if PurePath(file.name).suffix.lower() == ".xml"]
    if xml and len(xml) < len(files):
        raise services.ReturnRefused(MIXED_FILES)
    if len(xml) > 1:
        raise services.ReturnRefused(ONE_XML)
    if xml:
        return read_xml(xml[0].read(), file_name=xml[0].name, max_bytes=max_bytes)
    return read_csv_files({file.name: file.read() for file in files}, max_bytes=max_bytes)


def _upload_errors(request: HttpRequest, files) -> list[str]:
    upload = getattr(request, REQUEST_ATTRIBUTE, None)  # set by ReturnUploadMiddleware
    errors = list(upload.errors) if upload is not None else []
    if upload is not None and upload.refused:
        return errors
    limit, total = settings.SCORECARD_RETURN_MAX_BYTES, 0
    for file in files:
        total += file.size
        if PurePath(file.name).suffix.lower() not in SUFFIXES:
            errors.append(WRONG_TYPE.format(name=file.name))
        elif total > limit:
            errors.append(FILE_TOO_LARGE.format(name=file.name, limit=limit))
            break
    if not files and not errors:
        errors.append(NO_FILES)
    return list(dict.fromkeys(errors))


@require_http_methods(["GET", "POST"])
@login_required
def returns(request: HttpRequest, code: str) -> HttpResponse:
    """The authority's computations from the return, and the form to upload one."""
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    context = {
        "authority": authority,
        "role": role,
        "imports": selectors.return_imports_for(authority=authority),
        "form": {"first": request.POST.get("first", ""), "last": request.POST.get("last", "")},
        "max_bytes": settings.SCORECARD_RETURN_MAX_BYTES,
        "form_errors": [],
    }
    if request.method == "GET":
        return render(request, "scorecards/returns/list.html", context)
    files = request.FILES.getlist("files")
    errors = _upload_errors(request, files)
    months = []
    try:
        months = services.months_between(
            services.parse_month(context["form"]["first"], which="The first"),
            services.parse_month(context["form"]["last"], which="The last"),
        )
    except services.ReturnRefused as error:
        errors.append(str(error))
    if errors:
        context["form_errors"] = errors
        return render(request, "scorecards/returns/list.html", context, status=400)
    try:
        tables = _read(files, max_bytes=settings.SCORECARD_RETURN_MAX_BYTES)
    except (ReturnError, services.ReturnRefused) as error:
        context["form_errors"] = [f"Nothing was computed or kept. {error}"]
        return render(request, "scorecards/returns/list.html", context, status=400)
    result = services.return_compute(tables, months=months)
    del tables  # the return's rows go no further than this request
    return_import = services.return_record(
        authority=authority,
        result=result,
        months=months,
        file_names=[file.name for file in files],
        user=request.user,
    )
    return redirect("scorecards:return_import", code=authority.code, return_id=return_import.pk)


@require_safe
@login_required
def return_detail(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    """What a return computed: beside the figures held (while awaiting confirmation), and beside DfE's."""
    authority, role, return_import = _return_import(request, code, return_id)
    preview = selectors.return_preview(return_import) if return_import.state == ReturnState.PREVIEW else None
    context = {
        "authority": authority,
        "role": role,
        "return_import": return_import,
        "preview": preview,
        "rows": preview.rows if preview else selectors.stored_rows(return_import),
        "reconciliation": selectors.return_reconciliation(return_import),
        "year_ends": selectors.year_ends(return_import),
        "problems_kept": return_import.problems.exists(),
    }
    return render(request, "scorecards/returns/detail.html", context)


@require_POST
@login_required
def return_confirm(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    authority, _role, return_import = _return_import(request, code, return_id)
    # The officer confirms what the preview showed: if the figures held have changed since, show it again.
    preview_stale = return_import.state == ReturnState.PREVIEW and selectors.return_preview(
        return_import
    ).digest != request.POST.get("digest", "")
    if preview_stale:
        messages.error(request, PREVIEW_CHANGED)
        return redirect("scorecards:return_import", code=authority.code, return_id=return_import.pk)
    try:
        summary = services.return_apply(return_import=return_import, user=request.user)
    except services.ReturnRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, WRITTEN.format(files=return_import.file_names, summary=summary))
    return redirect("scorecards:return_import", code=authority.code, return_id=return_import.pk)


@require_POST
@login_required
def return_discard(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    authority, _role, return_import = _return_import(request, code, return_id)
    try:
        services.return_discard(return_import=return_import)
    except services.ReturnRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DISCARDED.format(files=return_import.file_names))
    return redirect("scorecards:return_import", code=authority.code, return_id=return_import.pk)


@require_safe
@login_required
def return_problems(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    """The data-quality list: each problem with its table, row, child and rule. Officers only."""
    authority, role, return_import = _return_import(request, code, return_id)
    page = Paginator(return_import.problems.all(), PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"authority": authority, "role": role, "return_import": return_import, "page": page}
    return render(request, "scorecards/returns/problems.html", context)


@require_safe
@login_required
def return_problems_csv(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    authority, _role, return_import = _return_import(request, code, return_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PROBLEM_COLUMNS)
    for problem in return_import.problems.all().iterator():
        writer.writerow([escape_formula(getattr(problem, column)) for column in PROBLEM_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"903-problems-{authority.code}-{return_import.uploaded_at:%Y-%m-%d}-{return_import.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def return_problems_delete(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    authority, _role, return_import = _return_import(request, code, return_id)
    count = services.problems_delete(return_import=return_import)
    messages.success(request, PROBLEMS_DELETED.format(count=count, plural="" if count == 1 else "s"))
    return redirect("scorecards:return_import", code=authority.code, return_id=return_import.pk)
