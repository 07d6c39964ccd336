"""Builders for the return's pages and command: the fake return's files, uploads, and the media folder."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import needs_shared

from .helpers import FAKE, HEADER, shared

MAR = datetime.date(2018, 3, 1)
FAKE_TABLES = ("episodes.csv", "missing.csv", "oc2.csv", "header.csv")
#: The D2I fake return, read from ../shared at test time (never copied into the repository).
needs_fake = needs_shared(FAKE)


def fake_files(*names: str) -> dict[str, bytes]:
    folder = shared(FAKE)
    return {name: (folder / name).read_bytes() for name in names or FAKE_TABLES}


def fake_child_ids(*, min_digits: int = 5) -> set[str]:
    """The fake return's child identifiers long enough not to be mistaken for a figure on a page."""
    ids = set()
    for name in ("episodes.csv", "missing.csv", "oc2.csv", "header.csv"):
        for line in (shared(FAKE) / name).read_text(encoding="utf-8").splitlines()[1:]:
            child = line.split(",", 1)[0].strip()
            if len(child) >= min_digits:
                ids.add(child)
    return ids


def hand_made(*episodes: str, header: str = HEADER) -> dict[str, bytes]:
    return {"episodes.csv": "\n".join([header, *episodes]).encode()}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def upload(client):
    """POST files (name -> bytes) to the upload page, the months first, as the page's form sends them."""

    def post(files: dict[str, bytes], first="2017-04", last="2018-03", code="838", **extra):
        uploaded = [SimpleUploadedFile(name, content) for name, content in files.items()]
        data = {"first": first, "last": last, "files": uploaded}
        return client.post(f"/scorecards/{code}/returns/", data, **extra)

    return post


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
