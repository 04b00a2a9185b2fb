"""Stored files reach a browser only through views that check permission:
the access matrix of case attachments (owner unit, other unit, anonymous,
supervisor, confidential), the headers of every file response, and the
uploads' type check by content."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.files import check_minutes_file
from feedback import files
from feedback.errors import InvalidInputError
from feedback.models import Attachment, IdentityAccess
from feedback.services.public import upload_type
from petitions.uploads import check_upload
from programs.files import check_evidence_file
from tests.factories import make_case, petitioner
from tests.programs.conftest import org, program  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% scanned letter\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(case, *, name="don-thu.pdf", content=PDF, **fields):
    attachment = Attachment(
        case=case,
        original_name=name,
        content_type=fields.pop("content_type", "application/pdf"),
        size=len(content),
        **fields,
    )
    attachment.file.save("a1b2c3.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


def url(attachment, case=None):
    return reverse(
        "case-attachment", args=[(case or attachment.case).pk, attachment.pk]
    )


def download(client, user, attachment, case=None):
    if user is not None:
        client.force_login(user)
    return client.get(url(attachment, case))


@pytest.fixture
def feedback_case(commune):
    return make_case(actor=commune.reception, unit=commune.office).case


@pytest.fixture
def denunciation(commune):
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ",
        parties=[petitioner(), petitioner(role="denounced", full_name="Lê Văn Q")],
    ).case


# --------------------------------------------------------------------------
# The access matrix
# --------------------------------------------------------------------------


def test_staff_of_the_responsible_unit_download_the_file(
    client, commune, feedback_case
):
    attachment = attach(feedback_case)
    response = download(client, commune.officer, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_staff_of_another_unit_get_404(client, commune, feedback_case):
    attachment = attach(feedback_case)
    assert download(client, commune.officer_a, attachment).status_code == 404
    assert download(client, commune.leader_b, attachment).status_code == 404


def test_anonymous_users_get_404_not_a_login_redirect(client, feedback_case):
    response = client.get(url(attach(feedback_case)))
    assert response.status_code == 404
    assert "Location" not in response


def test_a_supervisor_of_the_subtree_downloads(client, commune, feedback_case):
    attachment = attach(feedback_case)
    assert download(client, commune.supervisor, attachment).status_code == 200


def test_a_confidential_attachment_follows_the_identity_rule(
    client, commune, denunciation
):
    attachment = attach(denunciation, is_confidential=True)
    # The office's officer sees the case but not who denounced.
    assert download(client, commune.officer, attachment).status_code == 404
    assert not IdentityAccess.objects.exists()
    # Its leader and the reception officer who logged it are entitled; the
    # download is recorded like any other showing of the identity.
    assert download(client, commune.leader, attachment).status_code == 200
    assert download(client, commune.reception, attachment).status_code == 200
    assert set(IdentityAccess.objects.values_list("user__username", "context")) == {
        ("leader", "attachment"),
        ("reception", "attachment"),
    }


def test_any_file_of_a_denunciation_is_confidential(client, commune, denunciation):
    attachment = attach(denunciation, is_confidential=False)
    assert download(client, commune.officer, attachment).status_code == 404
    assert download(client, commune.supervisor, attachment).status_code == 200


def test_a_confidential_attachment_of_another_kind_needs_only_the_case(
    client, commune, feedback_case
):
    attachment = attach(feedback_case, is_confidential=True)
    assert download(client, commune.officer, attachment).status_code == 200
    assert download(client, commune.officer_a, attachment).status_code == 404


def test_an_attachment_under_another_case_id_is_404(client, commune, feedback_case):
    other = make_case(actor=commune.reception, unit=commune.office).case
    attachment = attach(feedback_case)
    # The leader sees both cases, but the attachment is not the other's.
    assert download(client, commune.leader, attachment, other).status_code == 404
    missing = reverse("case-attachment", args=[feedback_case.pk, attachment.pk + 99])
    assert client.get(missing).status_code == 404


def test_paths_that_try_to_leave_the_case_are_404(client, commune, feedback_case):
    attach(feedback_case)
    client.force_login(commune.leader)
    base = reverse("case-detail", args=[feedback_case.pk])
    for path in (
        f"{base}tep/../../../etc/passwd",
        f"{base}tep/%2e%2e%2f%2e%2e%2fsettings.py/",
        f"{base}tep/cases%2F{feedback_case.pk}%2Fa1b2c3.pdf/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_file_missing_from_the_disk_is_404(client, commune, feedback_case, media):
    attachment = attach(feedback_case)
    (media / attachment.file.name).unlink()
    assert download(client, commune.leader, attachment).status_code == 404


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def test_headers_of_a_download(client, commune, feedback_case):
    attachment = attach(feedback_case, name="Đơn kiến nghị của ông Đức.pdf")
    response = download(client, commune.officer, attachment)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        'attachment; filename="Don kien nghi cua ong Duc.pdf"; '
        "filename*=UTF-8''" + quote("Đơn kiến nghị của ông Đức.pdf", safe="")
    )


@pytest.mark.parametrize(
    "stored", ["text/html", "image/svg+xml", "text/html; charset=utf-8", "", "x/y"]
)
def test_a_dangerous_or_unknown_type_is_sent_as_octet_stream(
    client, commune, feedback_case, stored
):
    attachment = attach(feedback_case, name="trang.html", content_type=stored)
    response = download(client, commune.officer, attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_header_breaking_names_are_cleaned(client, commune, feedback_case):
    attachment = attach(feedback_case, name='../../etc/pa"ss\r\nX-Evil: 1.pdf')
    response = download(client, commune.officer, attachment)
    assert response["Content-Disposition"] == (
        'attachment; filename="pa_ss__X-Evil_ 1.pdf"'
    )
    assert "X-Evil" not in response.headers


def test_clean_filename_keeps_the_extension_of_long_names():
    name = files.clean_filename("Đ" * 300 + ".pdf")
    assert len(name) == 150 and name.endswith(".pdf")
    assert files.clean_filename("") == "file"
    assert files.clean_filename("..") == "file"


# --------------------------------------------------------------------------
# The case page links the files the user may open, and no others
# --------------------------------------------------------------------------


def test_the_case_page_links_the_download(client, commune, denunciation):
    attachment = attach(denunciation, name="don-cua-ba-Ngoc.pdf", is_confidential=True)
    page = reverse("case-detail", args=[denunciation.pk])
    client.force_login(commune.leader)
    assert url(attachment).encode() in client.get(page).content
    client.force_login(commune.officer)
    body = client.get(page).content
    assert url(attachment).encode() not in body
    assert b"don-cua-ba-Ngoc.pdf" not in body


# --------------------------------------------------------------------------
# Other stored files: minutes, evidence, reports
# --------------------------------------------------------------------------


def test_file_views_of_other_apps_answer_404_to_anonymous_users(client):
    for name in (
        "meeting-minutes-file",
        "program-evidence-file",
        "report-job-file",
        "report-submitted-file",
    ):
        response = client.get(reverse(name, args=[1]))
        assert response.status_code == 404, name


# --------------------------------------------------------------------------
# Every upload path recognises the type by content and refuses SVG and HTML
# --------------------------------------------------------------------------


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("ve.svg", SVG, "image/svg+xml"),
        ("trang.html", HTML, "text/html"),
        ("gia.pdf", HTML, "application/pdf"),
        ("anh.png", SVG, "image/png"),
    ],
)
def test_svg_and_html_are_refused_by_every_upload_path(name, content, content_type):
    assert upload_type(upload(name, content, content_type)) is None
    for check in (check_upload, check_minutes_file, check_evidence_file):
        with pytest.raises(InvalidInputError):
            check(upload(name, content, content_type))


def test_the_desk_accepts_a_pdf_and_checks_its_name():
    checked = check_upload(upload("don.pdf", PDF, "image/png"))
    assert (checked.content_type, checked.extension) == ("application/pdf", "pdf")
    with pytest.raises(InvalidInputError):
        check_upload(upload("don.jpg", PDF, "image/jpeg"))


def test_the_desk_refuses_a_file_over_the_limit(settings):
    settings.PETITIONS_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(InvalidInputError):
        check_upload(upload("don.pdf", PDF, "application/pdf"))


def test_program_evidence_follows_the_programs_read_rule(
    org,  # noqa: F811 - the programs' fixture
    program,  # noqa: F811
    client,
    media,
):
    from programs import services
    from programs.models import TaskEvidence, TaskStatus

    task = services.task_create(
        actor=org.bcd, program=program, title="A", kind="direct", quarters=[1]
    )
    services.task_progress(
        actor=org.bcd,
        task_id=task.pk,
        status=TaskStatus.IN_PROGRESS,
        note="Bắt đầu",
        evidence=SimpleUploadedFile("bien-ban.pdf", PDF, "text/html"),
        today=dt.date(2024, 2, 1),
    )
    evidence = TaskEvidence.objects.get()
    path = reverse("program-evidence-file", args=[evidence.pk])
    assert client.get(path).status_code == 404
    client.force_login(org.outsider)
    assert client.get(path).status_code == 404
    client.force_login(org.bcd)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
