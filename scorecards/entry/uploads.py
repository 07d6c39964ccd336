"""Uploads awaiting confirmation: kept as ``PendingUpload`` rows, each confirmed at most once, applied under lock.

A preview is a file under ``MEDIA_ROOT/uploads`` and a row recording who previewed what for which authority, and
the digest of what the preview showed. Confirming claims the row with a conditional update (pending to applying:
of a double click, or two tabs, exactly one request wins), then, under the authority's write lock, plans the file
again and applies it only if that plan is still the preview. Whatever changed in between (a colleague's upload or
form, a row created by another route) is answered with the new preview and the changes made since, never with a
second write or an audit record whose "old" is not what was replaced.
"""

from __future__ import annotations

import csv
import datetime
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.models import Authority
from scorecards.core.exports import escape_formula
from scorecards.entry.services import authority_lock
from scorecards.imports import ImportPlan, ImportSummary, RowError, apply_import
from scorecards.models import ChangeRecord, ChangeRoute, PendingUpload, UploadState

UPLOAD_FOLDER = "uploads"
#: Every error of a rejected upload, as CSV, for the one who uploaded it; outside ``uploads`` on purpose.
ERROR_REPORT_FOLDER = "upload-errors"
#: A preview not confirmed within a day is discarded, with its file, when the next upload is made
#: (or by ``manage.py clean_uploads``); so are error reports.
KEEP_FOR = datetime.timedelta(days=1)
#: Changes made by others since a preview, shown beside a refused confirmation.
CONFLICTS_SHOWN = 200
ERROR_REPORT_HEADER = ("row", "column", "problem")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Outcome(StrEnum):
    APPLIED = "applied"
    #: Another request claimed this preview first (a double click): it is applied, or being applied.
    ALREADY_APPLIED = "already_applied"
    #: No such preview for this user and authority, discarded, or its file is gone.
    EXPIRED = "expired"
    #: What applying would do is no longer what was previewed: nothing was written; here is the new plan.
    CHANGED = "changed"


@dataclass
class Confirmation:
    outcome: Outcome
    pending: PendingUpload | None = None
    summary: ImportSummary | None = None
    #: For ``CHANGED``: the plan as it is now (to preview again) and the changes others made since.
    plan: ImportPlan | None = None
    conflicts: list[ChangeRecord] = field(default_factory=list)


class _Changed(Exception):
    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("the plan differs from the preview")
        self.plan = plan


def upload_folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def error_report_folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / ERROR_REPORT_FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def upload_token() -> str:
    return secrets.token_urlsafe(16)


def pending_upload_create(
    *, token: str, authority: Authority, user, kind: str, filename: str, stored_name: str, digest: str
) -> PendingUpload:
    """Record a previewed file so that it can be confirmed (once) by the user who previewed it."""
    return PendingUpload.objects.create(
        token=token,
        authority=authority,
        user=user,
        kind=kind,
        filename=filename[:255],
        stored_name=stored_name,
        digest=digest,
    )


def pending_upload_confirm(
    *, token: str, authority: Authority, user, digest: str, plan_file: Callable[[Path, str], ImportPlan]
) -> Confirmation:
    """Apply a previewed upload if, planned again under the authority's lock, it is still what was previewed.

    ``plan_file(path, kind)`` plans the stored file as the preview did. ``digest`` is the one the preview page
    carried. Safe to call twice at once for one preview: one call applies, the other is told so.
    """
    pending = PendingUpload.objects.filter(token=token, authority=authority, user=user).first()
    if pending is None or pending.state == UploadState.DISCARDED:
        return Confirmation(Outcome.EXPIRED, pending)
    if pending.state != UploadState.PENDING:
        return Confirmation(Outcome.ALREADY_APPLIED, pending)
    path = upload_folder() / pending.stored_name
    if not path.is_file():
        _discard(pending)
        return Confirmation(Outcome.EXPIRED, pending)
    if digest != pending.digest:
        # Not the preview this row holds (an old page, or a tampered form): show what applying would do now.
        return _changed(pending, plan_file(path, pending.kind), path, held=UploadState.PENDING)
    # The claim: of two requests for one preview, only one turns pending into applying. It is committed at once
    # (autocommit), so the other sees it however long the apply takes.
    claimed = PendingUpload.objects.filter(pk=pending.pk, state=UploadState.PENDING).update(
        state=UploadState.APPLYING
    )
    if claimed != 1:
        return Confirmation(Outcome.ALREADY_APPLIED, pending)
    try:
        with transaction.atomic():
            authority_lock(authority=authority)
            plan = plan_file(path, pending.kind)
            if plan.errors or plan.digest() != pending.digest:
                raise _Changed(plan)
            summary = apply_import(plan, user=user, route=ChangeRoute.UPLOAD)
            PendingUpload.objects.filter(pk=pending.pk).update(
                state=UploadState.APPLIED, finished_at=timezone.now()
            )
    except _Changed as changed:
        return _changed(pending, changed.plan, path, held=UploadState.APPLYING)
    except IntegrityError:
        # A row of the file was created by a route that does not take the lock (the command line, the admin)
        # between planning and writing: everything was rolled back; plan again and show it.
        return _changed(pending, plan_file(path, pending.kind), path, held=UploadState.APPLYING)
    except BaseException:
        PendingUpload.objects.filter(pk=pending.pk, state=UploadState.APPLYING).update(
            state=UploadState.PENDING
        )
        raise
    path.unlink(missing_ok=True)
    return Confirmation(Outcome.APPLIED, pending, summary=summary)


def _changed(pending: PendingUpload, plan: ImportPlan, path: Path, *, held: UploadState) -> Confirmation:
    """Back to pending with the new plan's digest, so that the officer can confirm what they now see.

    ``held`` is the state this request found the row in (applying: it claimed it); a row another request has
    claimed meanwhile is left to that request.
    """
    conflicts = list(
        ChangeRecord.objects.filter(authority_id=pending.authority_id, at__gte=pending.created_at)
        .exclude(kind="month")
        .select_related("indicator")[:CONFLICTS_SHOWN]
    )
    mine = PendingUpload.objects.filter(pk=pending.pk, state=held)
    if plan.errors:
        if mine.update(state=UploadState.DISCARDED, finished_at=timezone.now()):
            path.unlink(missing_ok=True)
    else:
        mine.update(state=UploadState.PENDING, digest=plan.digest())
    return Confirmation(Outcome.CHANGED, pending, plan=plan, conflicts=conflicts)


def _discard(pending: PendingUpload) -> None:
    PendingUpload.objects.filter(pk=pending.pk).exclude(state=UploadState.APPLIED).update(
        state=UploadState.DISCARDED, finished_at=timezone.now()
    )


def uploads_clean(*, older_than: datetime.timedelta = KEEP_FOR) -> int:
    """Discard previews not confirmed in time and delete their files, and old error reports; how many files.

    A preview left applying that long was interrupted (its process stopped): its transaction rolled back.
    """
    cutoff = timezone.now() - older_than
    stale = PendingUpload.objects.filter(
        created_at__lt=cutoff, state__in=[UploadState.PENDING, UploadState.APPLYING]
    )
    removed = 0
    for stored_name in stale.values_list("stored_name", flat=True):
        path = upload_folder() / stored_name
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    stale.update(state=UploadState.DISCARDED, finished_at=timezone.now())
    oldest = time.time() - older_than.total_seconds()
    for folder in (upload_folder(), error_report_folder()):
        for path in folder.iterdir():
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _error_report_path(*, token: str, authority: Authority, user) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    # The name carries whose report it is: only that user, at that authority's address, gets it.
    return error_report_folder() / f"{authority.pk}-{user.pk}-{token}.csv"


def error_report_write(errors: Iterable[RowError], *, token: str, authority: Authority, user) -> None:
    """Write every error of a rejected upload as CSV, text a spreadsheet would run made inert."""
    path = _error_report_path(token=token, authority=authority, user=user)
    columns: dict[str, str] = {}  # a file has few columns and may have a million errors
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ERROR_REPORT_HEADER)
        writer.writerows(
            (
                error.row,
                columns.get(error.column) or columns.setdefault(error.column, escape_formula(error.column)),
                escape_formula(error.message),
            )
            for error in errors
        )


def error_report_path(*, token: str, authority: Authority, user) -> Path | None:
    """The error report of this user's rejected upload at this authority, or None (unknown, or cleaned)."""
    path = _error_report_path(token=token, authority=authority, user=user)
    return path if path is not None and path.is_file() else None
