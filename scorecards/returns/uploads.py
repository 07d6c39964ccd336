"""Where an uploaded SSDA903 return's files are while the request that computes from them runs, and nowhere else.

The files name children, so they must not outlive the request. Django would keep small files in memory and
write larger ones to the system's temporary folder, as it chooses; instead, for the upload page only, a
middleware gives the request its own folder (``tempfile.TemporaryDirectory``, readable by this process's user
only, under ``MEDIA_ROOT/returns-tmp``) and an upload handler streams every file into it. The folder and all in
it are deleted when the response is made, whatever happened (``finally``), so what remains is the computed
figures and the data-quality list.

The handlers must be set before anything reads the request body, and the CSRF middleware does; so this is a
middleware placed before it (Django's documented alternative, exempting the view from CSRF, is not taken). The
handler also refuses, before storing a byte: a body whose declared length passes the limit, files that are not
``.csv`` or ``.xml`` (their content is discarded as it arrives), and a stream that passes the limit after all.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

UPLOAD_VIEW = "scorecards:returns"
#: The request attribute holding the handler, so that the view can read what it refused.
REQUEST_ATTRIBUTE = "return_upload"
FOLDER_NAME = "returns-tmp"
#: Far longer than a request may run (gunicorn's timeout is a minute).
STALE_AFTER_SECONDS = 60 * 60
SUFFIXES = (".csv", ".xml")
#: The form's other fields (token, months) and the multipart boundaries, on top of the files themselves.
FORM_OVERHEAD = 64 * 1024

UPLOAD_TOO_LARGE = (
    "The upload is {size:,} bytes; the largest accepted is {limit:,} bytes for all the files together. "
    "Nothing was read."
)
FILE_TOO_LARGE = (
    "{name}: the files passed {limit:,} bytes, the largest upload accepted, at this file. Nothing was read."
)
WRONG_TYPE = (
    "{name}: upload the return's .csv tables or its .xml file; this file is neither and was not read."
)


def private_folder_root() -> Path:
    """``MEDIA_ROOT/returns-tmp``, created readable by this process's user only."""
    root = Path(settings.MEDIA_ROOT) / FOLDER_NAME
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def stale_folders_remove(root: Path, *, now: float | None = None) -> int:
    """Remove request folders older than any request lasts: left only if a process was killed mid-request."""
    cutoff = (now if now is not None else time.time()) - STALE_AFTER_SECONDS
    removed = 0
    for folder in root.glob("upload-*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
        except FileNotFoundError:  # another request removed it first
            continue
    return removed


class _Discard:
    """Where a refused file's content goes: nowhere."""

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


class ReturnUploadHandler(FileUploadHandler):
    """Streams each file into ``folder``, or refuses it; ``errors`` says what was refused and why."""

    def __init__(self, folder: Path, *, max_bytes: int, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.folder, self.max_bytes = folder, max_bytes
        self.errors: list[str] = []
        self.refused = False
        self.received = 0
        self.count = 0
        self.discarding = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803
        if content_length and content_length > self.max_bytes + FORM_OVERHEAD:
            self.errors.append(UPLOAD_TOO_LARGE.format(size=content_length, limit=self.max_bytes))
            self.refused = True
        return None  # the parser goes on, so the form's fields (the CSRF token first) are still read

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.refused:
            # The declared length is too large: stop without reading the rest of the body. (Django would read
            # it line by line to throw it away, and a body with no line breaks would be one line in memory.)
            # A reverse proxy that buffers bodies, as nginx does, has it already, so the answer still arrives.
            raise StopUpload(connection_reset=True)
        suffix = PurePath(file_name).suffix.lower()
        self.discarding = suffix not in SUFFIXES
        if self.discarding:
            self.errors.append(WRONG_TYPE.format(name=file_name))
            self.file = _Discard()
            return
        self.count += 1
        handle = (self.folder / f"{self.count:03d}{suffix}").open("x+b")
        self.file = UploadedFile(
            file=handle,
            name=file_name,
            content_type=self.content_type,
            size=0,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.discarding:
            return None
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.errors.append(FILE_TOO_LARGE.format(name=self.file_name, limit=self.max_bytes))
            self.refused = True
            # What is left is at most FORM_OVERHEAD (the declared length passed the check): read and dropped.
            raise StopUpload(connection_reset=False)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.discarding:
            return None
        self.file.seek(0)
        self.file.size = file_size
        return self.file


def is_return_upload(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    try:
        return resolve(request.path_info).view_name == UPLOAD_VIEW
    except Resolver404:
        return False


class ReturnUploadMiddleware:
    """Gives a 903 return upload its private folder and handler, and deletes the folder when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_return_upload(request):
            return self.get_response(request)
        root = private_folder_root()
        stale_folders_remove(root)
        folder = tempfile.TemporaryDirectory(prefix="upload-", dir=root)
        try:
            handler = ReturnUploadHandler(
                Path(folder.name), max_bytes=settings.SCORECARD_RETURN_MAX_BYTES, request=request
            )
            request.upload_handlers = [handler]
            setattr(request, REQUEST_ATTRIBUTE, handler)
            return self.get_response(request)
        finally:
            parsed = getattr(request, "_files", None)  # absent when nothing read the body
            for _field, files in parsed.lists() if parsed is not None else ():
                for file in files:
                    file.close()
            folder.cleanup()
