"""Bad uploads of a return: a clear message naming file, row and column, and nothing computed or written."""

from __future__ import annotations

import html
import io

import pytest
from django.core.files.uploadhandler import StopUpload

from scorecards.models import DataQualityProblem, MonthlyValue, ReturnImport
from scorecards.returns.uploads import ReturnUploadHandler

from .conftest import hand_made
from .helpers import HEADER

RETURNS = "/scorecards/838/returns/"
GOOD = hand_made("1,01/01/2018,S,C2,U1,,", "2,01/02/2018,S,C2,U1,,")


@pytest.fixture
def officer_upload(signed_in, officer, upload):
    signed_in(officer)
    return upload


def refused(response, *messages: str) -> None:
    assert response.status_code == 400
    text = response.content.decode()
    for message in messages:
        assert html.escape(message) in text
    assert not ReturnImport.objects.exists() and not MonthlyValue.objects.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"missing.csv": b"CHILD,MISSING,MIS_START\n"}, "episodes.csv: the return has no episodes.csv"),
        (
            {"episodes.csv": b"CHILD,DECOM,RNE,LS,PLACE,DEC\n1,01/01/2018,S,C2,U1,\n"},
            "episodes.csv, row 1, column REC: required column(s) REC missing",
        ),
        ({**GOOD, "oc2.csv": b"CHILD,TEETH_CHECK\n1,1\n"}, "oc2.csv, row 1, column HEALTH_ASSESSMENT"),
        ({"episodes.csv": b""}, "episodes.csv: the file is empty: expected a header row"),
        ({"episodes.csv": b"\n\n  \n"}, "episodes.csv: the file is empty"),
        (
            {"episodes.csv": b"PK\x03\x04\x14\x00\x00\x00"},
            "episodes.csv: this is not a CSV file but a zip archive",
        ),
        (
            {"episodes.csv": b"\x7fELF\x02\x01\x01"},
            "this is not a CSV file but a program (an ELF executable)",
        ),
        (
            {"episodes.csv": HEADER.encode() + b"\n1,01/01/2018,S,C2,U1,,,,extra\n"},
            "episodes.csv, row 2: the row has 9 cells",
        ),
        ({"episodes.csv": b"CHILD,DECOM\xff"}, "episodes.csv, row 1: the file is not UTF-8 text"),
        ({"return.xml": b"<EXPSSDA903><CHILD>"}, "return.xml: the XML cannot be read"),
        (
            {"return.xml": b"<!DOCTYPE x [<!ENTITY a 'b'>]><EXPSSDA903/>"},
            "the XML declares a DOCTYPE or ENTITY",
        ),
        (
            {**GOOD, "return.xml": b"<EXPSSDA903/>"},
            "Upload either the return's CSV tables or its XML file, not both.",
        ),
    ],
)
def test_a_return_that_cannot_be_read_is_refused_naming_file_row_and_column(officer_upload, files, message):
    refused(officer_upload(files), "Nothing was computed or kept.", message)


def test_columns_in_another_order_are_read_by_name(officer_upload):
    shuffled = "REC,DEC,PLACE,LS,RNE,DECOM,CHILD\n,,U1,C2,S,01/01/2018,1\n,,U1,C2,S,01/02/2018,2\n"
    assert (
        officer_upload({"episodes.csv": shuffled.encode()}, first="2018-03", last="2018-03").status_code
        == 302
    )
    assert officer_upload(GOOD, first="2018-03", last="2018-03").status_code == 302
    first, second = ReturnImport.objects.all()
    assert first.figures == second.figures


def test_dates_that_do_not_parse_are_data_quality_problems(officer_upload):
    files = hand_made("1,31/02/2018,S,C2,U1,,", "2,2018-03-31,S,C2,U1,,", "3,01/01/2018,S,C2,U1,,")
    assert officer_upload(files, first="2018-03", last="2018-03").status_code == 302
    problems = list(DataQualityProblem.objects.values_list("table", "row", "child", "rule"))
    assert problems == [("episodes.csv", 2, "1", "bad_date"), ("episodes.csv", 3, "2", "bad_date")]
    messages = DataQualityProblem.objects.values_list("message", flat=True)
    assert "DECOM '31/02/2018' is not a date written DD/MM/YYYY" in messages


@pytest.mark.parametrize("name", ["episodes.exe", "episodes.csv.exe", "episodes.xlsx", "episodes"])
def test_files_of_other_types_are_refused_unread(officer_upload, name):
    refused(
        officer_upload({name: b"MZ\x90\x00"}),
        f"{name}: upload the return's .csv tables or its .xml file",
    )


def test_no_files_or_no_months_are_refused(officer_upload):
    refused(officer_upload({}), "Choose the return's files")
    refused(
        officer_upload(GOOD, first="", last="2018-03"),
        "The first month '' is not a month written YYYY-MM",
    )
    refused(
        officer_upload(GOOD, first="2018-04", last="2018-03"),
        "The first month (2018-04) is after the last (2018-03)",
    )


def test_an_upload_declaring_more_than_the_limit_is_refused_before_a_byte_is_stored(officer_upload, settings):
    settings.SCORECARD_RETURN_MAX_BYTES = 1000
    response = officer_upload({"episodes.csv": HEADER.encode() + b"\n" + b"1,01/01/2018,S,C2,U1,,\n" * 4000})
    refused(response, "the largest accepted is 1,000 bytes for all the files together. Nothing was read.")
    handler = response.wsgi_request.return_upload
    assert handler.refused and handler.received == 0 and handler.count == 0


def test_files_passing_the_limit_as_they_arrive_are_refused_naming_the_file(officer_upload, settings):
    settings.SCORECARD_RETURN_MAX_BYTES = 100_000
    big = (
        HEADER.encode() + b"\n" + b"1,01/01/2018,S,C2,U1,,\n" * 5000
    )  # 115,036 bytes: within the body's slack
    response = officer_upload({"missing.csv": b"CHILD,MISSING,MIS_START\n", "episodes.csv": big})
    refused(
        response, "episodes.csv: the files passed 100,000 bytes, the largest upload accepted, at this file."
    )


class _Unreadable(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the body was read")


def test_a_200_mb_upload_is_refused_from_its_declared_length_alone(tmp_path):
    handler = ReturnUploadHandler(tmp_path, max_bytes=50 * 1024 * 1024)
    assert handler.handle_raw_input(_Unreadable(), {}, 200 * 1024 * 1024, b"boundary") is None
    assert handler.refused and "The upload is 209,715,200 bytes" in handler.errors[0]
    with pytest.raises(StopUpload) as stop:
        handler.new_file("files", "episodes.csv", "text/csv", None)
    assert stop.value.connection_reset is True  # the rest of the body is not even read
    assert list(tmp_path.iterdir()) == []


class _LazyBody(io.RawIOBase):
    """A multipart body of ``size`` bytes made as it is read: the months, then one file of filler."""

    def __init__(self, boundary: str, size: int) -> None:
        fields = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n2018-03\r\n'
            for name in ("first", "last")
        )
        self.head = (
            fields
            + f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="episodes.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.size, self.position = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        body_end = self.size - len(self.tail)
        count = 0
        while count < len(buffer) and self.position < self.size:
            if self.position < len(self.head):
                piece = self.head[self.position : self.position + len(buffer) - count]
            elif self.position < body_end:
                piece = b"x" * min(len(buffer) - count, body_end - self.position)
            else:
                start = self.position - body_end
                piece = self.tail[start : start + len(buffer) - count]
            buffer[count : count + len(piece)] = piece
            count += len(piece)
            self.position += len(piece)
        return count


def test_a_200_mb_request_is_answered_with_a_message_and_nothing_stored(signed_in, officer, media_root):
    client = signed_in(officer)
    size = 200 * 1024 * 1024
    environ = client._base_environ(
        PATH_INFO=RETURNS,
        REQUEST_METHOD="POST",
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": io.BufferedReader(_LazyBody("BoUnDaRy", size), buffer_size=1024 * 1024)},
    )
    response = client.handler(environ)
    refused(response, "The upload is 209,715,200 bytes; the largest accepted is 52,428,800 bytes")
    handler = response.wsgi_request.return_upload
    assert handler.received == 0 and handler.count == 0
    assert list((media_root / "returns-tmp").iterdir()) == []
