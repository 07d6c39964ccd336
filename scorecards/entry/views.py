"""Officers' pages: enter a month by form, upload a spreadsheet with a preview, download templates."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from authorities.access import ENTER_ROLES, authority_for_user
from scorecards.audit import audit_text
from scorecards.entry.month_form import error_summary, form_sections, posted_figures
from scorecards.entry.services import (
    STATUS_CHOICES,
    month_entry_rows,
    month_values_save,
    month_version,
)
from scorecards.entry.uploads import (
    Outcome,
    error_report_path,
    error_report_write,
    pending_upload_confirm,
    pending_upload_create,
    upload_folder,
    upload_token,
    uploads_clean,
)
from scorecards.imports import Action, plan_import
from scorecards.imports.service import KINDS as IMPORT_KINDS

#: Kinds an officer may upload for their own authority; the catalogue and authorities are shared by every
#: council and change only by command (or a superuser).
OFFICER_KINDS = ("values", "benchmarks", "targets", "plans", "actions")
UPLOAD_SUFFIXES = (".csv", ".xlsx")
UPLOAD_FORM_OVERHEAD = 64 * 1024
#: A page lists this many of a file's errors, and of its preview's rows; the whole list of errors is a CSV.
ERRORS_SHOWN = 200
PREVIEW_ROWS_SHOWN = 200

WRONG_AUTHORITY = "this upload is for {name} ({code}) only; the row names authority {given!r}"
UPLOAD_TOO_LARGE = "The file is {size} bytes; the largest accepted is {limit} bytes."
UPLOAD_WRONG_TYPE = "Upload a .csv or .xlsx file; {name!r} is neither."
UPLOAD_NO_FILE = "Choose a file to upload."
UPLOAD_UNKNOWN_KIND = "Choose what the file holds: values, benchmarks, targets, plans or actions."
UPLOAD_EXPIRED = "That preview has expired or was already applied. Upload the file again."
UPLOAD_ALREADY_APPLIED = "That preview was already applied (or is being applied); nothing was written twice."
UPLOAD_CHANGED = (
    "The data changed since the preview, so nothing was applied. Check the new preview and confirm again."
)


@require_http_methods(["GET", "POST"])
@login_required
def month_entry(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    result = None
    submitted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        rows = month_entry_rows(authority=authority, period=period)
        submitted = posted_figures(rows, request.POST)
        confirmed = {row.indicator.code for row in rows if request.POST.get(f"{row.indicator.code}-confirm")}
        result = month_values_save(
            authority=authority,
            period=period,
            submitted=submitted,
            confirmed=confirmed,
            version=request.POST.get("version", ""),
            user=request.user,
        )
        if result.ok:
            messages.success(
                request,
                f"Saved {result.saved} figure{'s' if result.saved != 1 else ''} for {period:%B %Y}. "
                "The month is a draft until it is submitted and approved.",
            )
            return redirect("scorecards:detail", code=authority.code, period=period)
    rows = month_entry_rows(authority=authority, period=period)
    context = {
        "authority": authority,
        "role": role,
        "period": period,
        "sections": form_sections(rows, submitted, result),
        "result": result,
        "status_choices": STATUS_CHOICES,
        "version": month_version(authority=authority, period=period),
        "error_count": len(result.errors) if result else 0,
        "summary": error_summary(result, rows, submitted),
    }
    status = 200 if result is None or result.ok else 400
    return render(request, "scorecards/entry/month.html", context, status=status)


def _restrict_to_authority(plan, authority) -> None:
    """Rows for any other authority are errors: an officer writes only their own council's figures."""
    from scorecards.imports import RowError

    for planned in plan.rows:
        given = planned.key[0] if planned.key else ""
        if given and given != authority.code:
            error = RowError(
                planned.row,
                "authority",
                WRONG_AUTHORITY.format(name=authority.name, code=authority.code, given=given),
            )
            planned.errors.append(error)
            planned.action = Action.REJECT
            plan.errors.append(error)
    plan.errors.sort(key=lambda error: error.row)


def _plan_stored(path: Path, kind: str, authority):
    with path.open("rb") as handle:
        plan = plan_import(kind, handle, path.name)
    _restrict_to_authority(plan, authority)
    return plan


ACTION_LABELS = {
    Action.CREATE: "New",
    Action.UPDATE: "Changed",
    Action.UNCHANGED: "Unchanged",
    Action.REJECT: "Rejected",
}


def _preview_rows(plan) -> list[dict]:
    """The plan's first rows as the preview shows them: figures as written (42, not 42.0000), empty as a dash;
    a new row with what it holds (its value, counts, status, commentary), a changed one with old and new."""
    importer = IMPORT_KINDS[plan.kind]
    # Key fields are in the key column already; foreign keys and the catalogue position tell a reader nothing.
    hidden = {*getattr(importer, "key_fields", ()), *importer.key_columns, *getattr(importer, "fixed", {})}
    hidden.discard("cohort")  # not in the key column: a new cohort row says which cohort it is
    return [
        {
            "row": planned.row,
            "action": str(planned.action),
            "label": ACTION_LABELS[planned.action],
            "key": tuple(part for part in planned.key if part),
            "changes": [
                (name, audit_text(old) or "–", audit_text(new) or "–")
                for name, (old, new) in planned.changes.items()
            ],
            "new": [
                (name, audit_text(value))
                for name, value in planned.fields.items()
                if planned.action == Action.CREATE
                and name not in hidden
                and not name.endswith("_id")
                and name != "position"
                and audit_text(value)
            ],
        }
        for planned in plan.rows[:PREVIEW_ROWS_SHOWN]
    ]


def _preview_context(plan, *, token: str, filename: str, kind: str, digest: str | None = None) -> dict:
    """What the page shows of a plan: a bounded page however large the file, its summary and counts whole."""
    return {
        "plan": plan,
        "preview": _preview_rows(plan),
        "preview_more": max(len(plan.rows) - PREVIEW_ROWS_SHOWN, 0),
        "errors_shown": plan.errors[:ERRORS_SHOWN],
        "error_count": len(plan.errors),
        "errors_more": max(len(plan.errors) - ERRORS_SHOWN, 0),
        "digest": "" if plan.errors else (digest or plan.digest()),
        "token": token,
        "filename": filename,
        "kind": kind,
    }


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    context = {"authority": authority, "role": role, "kinds": OFFICER_KINDS, "plan": None, "form_errors": []}
    if request.method == "GET":
        return render(request, "scorecards/entry/upload.html", context)
    # Refuse an oversized body before Django reads it; the form fields add a little to the file's size.
    raw_length = request.META.get("CONTENT_LENGTH") or "0"
    declared = int(raw_length) if raw_length.isdigit() else 0
    if declared > settings.SCORECARD_UPLOAD_MAX_BYTES + UPLOAD_FORM_OVERHEAD:
        context["form_errors"] = [
            UPLOAD_TOO_LARGE.format(size=declared, limit=settings.SCORECARD_UPLOAD_MAX_BYTES)
        ]
        return render(request, "scorecards/entry/upload.html", context, status=400)
    kind = request.POST.get("kind", "")
    upload_file = request.FILES.get("file")
    errors = []
    if kind not in OFFICER_KINDS:
        errors.append(UPLOAD_UNKNOWN_KIND)
    if upload_file is None:
        errors.append(UPLOAD_NO_FILE)
    else:
        suffix = Path(upload_file.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            errors.append(UPLOAD_WRONG_TYPE.format(name=upload_file.name))
        if upload_file.size > settings.SCORECARD_UPLOAD_MAX_BYTES:
            errors.append(
                UPLOAD_TOO_LARGE.format(size=upload_file.size, limit=settings.SCORECARD_UPLOAD_MAX_BYTES)
            )
    if errors:
        context["form_errors"] = errors
        return render(request, "scorecards/entry/upload.html", context, status=400)

    uploads_clean()  # previews nobody confirmed within a day, and old error reports
    token = upload_token()
    path = upload_folder() / f"{token}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload_file.chunks():
            handle.write(chunk)
    plan = _plan_stored(path, kind, authority)
    digest = None
    if plan.errors:
        path.unlink(missing_ok=True)
        error_report_write(plan.errors, token=token, authority=authority, user=request.user)
    else:
        digest = plan.digest()
        pending_upload_create(
            token=token,
            authority=authority,
            user=request.user,
            kind=kind,
            filename=upload_file.name,
            stored_name=path.name,
            digest=digest,
        )
    context.update(_preview_context(plan, token=token, filename=upload_file.name, kind=kind, digest=digest))
    return render(request, "scorecards/entry/upload.html", context, status=400 if plan.errors else 200)


@require_POST
@login_required
def upload_confirm(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    token = request.POST.get("token", "")
    confirmation = pending_upload_confirm(
        token=token,
        authority=authority,
        user=request.user,
        digest=request.POST.get("digest", ""),
        plan_file=lambda path, kind: _plan_stored(path, kind, authority),
    )
    pending = confirmation.pending
    if confirmation.outcome == Outcome.APPLIED:
        messages.success(request, f"Applied {pending.filename}: {confirmation.summary}.")
        return redirect("scorecards:authority", code=authority.code)
    if confirmation.outcome != Outcome.CHANGED:
        already = confirmation.outcome == Outcome.ALREADY_APPLIED
        messages.error(request, UPLOAD_ALREADY_APPLIED if already else UPLOAD_EXPIRED)
        return redirect("scorecards:upload", code=authority.code)
    # Show what applying would do now, and what others changed since the preview, to check and confirm again.
    plan = confirmation.plan
    if plan.errors:
        error_report_write(plan.errors, token=token, authority=authority, user=request.user)
    messages.error(request, UPLOAD_CHANGED)
    context = {"authority": authority, "role": role, "kinds": OFFICER_KINDS, "form_errors": []}
    context.update(_preview_context(plan, token=token, filename=pending.filename, kind=pending.kind))
    context["conflicts"] = confirmation.conflicts
    return render(request, "scorecards/entry/upload.html", context, status=409)


@require_safe
@login_required
def upload_errors(request: HttpRequest, code: str, token: str) -> FileResponse:
    """Every error of the user's rejected upload, as CSV (the page lists the first few)."""
    authority, _role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    path = error_report_path(token=token, authority=authority, user=request.user)
    if path is None:
        raise Http404("No such error report.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"upload-errors-{authority.code}.csv",
        content_type="text/csv; charset=utf-8",
    )


TEMPLATE_EXAMPLES = {
    "values": ["{code}", "dental_check_pct", "2020-11", "42", "", "", "", "Example commentary", ""],
    "benchmarks": ["{code}", "dental_check_pct", "2019/20", "85", "", "", "78", "94", "", "", ""],
    "targets": ["{code}", "cic_rate_per_10k", "target", "2022/23", "60", "", ""],
    "plans": ["{code}", "peer-2018", "Peer review recommendations", "peer_review", "2018-11-27", "Director"],
    "actions": [
        "{code}",
        "peer-2018",
        "K1.1",
        "Line of enquiry 1",
        "Example action",
        "Head of Service",
        "2019-06-30",
        "on_track",
        "permanence_plan_pct",
        "Example progress",
        "2019-03-01",
    ],
}


@require_safe
@login_required
def upload_template(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A CSV with the kind's columns and one example row for this authority."""
    authority, _role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    if kind not in OFFICER_KINDS:
        raise Http404("No such template.")
    columns = IMPORT_KINDS[kind]().columns
    example = [cell.format(code=authority.code) for cell in TEMPLATE_EXAMPLES[kind]]
    content = ",".join(columns) + "\r\n" + ",".join(example[: len(columns)]) + "\r\n"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template-{authority.code}.csv"'
    return response
