"""Models of the case core.

Cases are never deleted (NĐ 55/2022 forbids deleting or altering petition
records): a mistake is corrected with a new event, and simple-history keeps
every old value.  Status is written only by ``feedback.services.cases``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from feedback import validators


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


# --------------------------------------------------------------------------
# Organisation
# --------------------------------------------------------------------------


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận")
    COMMUNE = "commune", _("Xã, phường, thị trấn")
    STEERING_COMMITTEE = "steering_committee", _("Ban chỉ đạo dân vận chính quyền")
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    PEOPLES_COUNCIL = "peoples_council", _("Hội đồng nhân dân")
    FRONT = "front", _("Mặt trận Tổ quốc")
    MASS_ORG = "mass_org", _("Đoàn thể")
    OFFICE = "office", _("Phòng, ban chuyên môn")
    HAMLET = "hamlet", _("Thôn, xóm, tổ dân phố")


class Unit(TimeStampedModel):
    """A node of the organisation tree, of any depth.

    ``path`` is a materialized path of primary keys (``/1/4/9/``) so that a
    whole subtree is one indexed prefix query.
    """

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn"), max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(_("cấp"), default=0, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # A unit in a remote or especially difficult area gets the longer
    # complaint deadlines (Luật Khiếu nại Arts 28, 37).
    is_remote_area = models.BooleanField(_("vùng sâu, vùng xa"), default=False)

    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="unit_path_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path indexes the tree, so it is kept with the row it describes;
        # moving a unit rewrites its subtree's paths in one UPDATE.
        old_path = self.path
        if self.parent_id and old_path:
            parent_path = Unit.objects.values_list("path", flat=True).get(
                pk=self.parent_id
            )
            if parent_path.startswith(old_path):
                raise ValueError("A unit cannot be moved below itself.")
        super().save(*args, **kwargs)
        parent_path = (
            Unit.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if self.parent_id
            else "/"
        )
        new_path = f"{parent_path}{self.pk}/"
        if new_path == old_path:
            return
        self.path = new_path
        self.depth = new_path.count("/") - 2
        if old_path:
            Unit.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (self.depth - (old_path.count("/") - 2)),
            )
        else:
            Unit.objects.filter(pk=self.pk).update(path=new_path, depth=self.depth)

    def subtree(self):
        """This unit and every unit below it, in one query."""
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Unit.objects.filter(pk__in=ids).order_by("depth")


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp công dân")
    OFFICER = "officer", _("Cán bộ xử lý")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    SUPERVISOR = "supervisor", _("Giám sát")
    ADMIN = "admin", _("Quản trị")


class Membership(TimeStampedModel):
    """A staff user's role in a unit; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class Field(models.Model):
    """Lĩnh vực: a configurable subject area."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------
# Legal deadlines
# --------------------------------------------------------------------------


class DayUnit(models.TextChoices):
    WORKING = "wd", _("ngày làm việc")
    CALENDAR = "cal", _("ngày")


class DeadlinePolicy(TimeStampedModel):
    """How long a stage of a kind of case may take, under one rule set.

    The row that applies is the one valid on the step's trigger date; the
    variant comes from the case's flags (see ``feedback.deadlines``).
    """

    ANY_KIND = "any"

    kind = models.CharField(_("loại vụ việc"), max_length=32)
    stage = models.CharField(_("bước"), max_length=32)
    variant = models.CharField(
        _("trường hợp"),
        max_length=40,
        default="standard",
        help_text=_(
            "standard, complex, remote, remote_complex, several_places, "
            "second, second_complex, second_remote, second_remote_complex"
        ),
    )
    days = models.PositiveSmallIntegerField(_("số ngày"))
    day_unit = models.CharField(_("cách tính"), max_length=3, choices=DayUnit.choices)
    extension_days = models.PositiveSmallIntegerField(
        _("số ngày mỗi lần gia hạn"), default=0
    )
    max_extensions = models.PositiveSmallIntegerField(
        _("số lần gia hạn tối đa"), default=0
    )
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)
    trigger = models.CharField(_("mốc tính"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thời hạn luật định")
        verbose_name_plural = _("thời hạn luật định")
        ordering = ["kind", "stage", "variant", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="deadline_policy_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0), name="deadline_policy_positive_days"
            ),
        ]

    def __str__(self):
        return f"{self.kind}/{self.stage}/{self.variant}: {self.days} {self.day_unit}"


class CalendarException(models.Model):
    """An official swap: an extra day off, or a Saturday made a working day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("lý do"), max_length=255)

    class Meta:
        verbose_name = _("ngày nghỉ, làm bù")
        verbose_name_plural = _("ngày nghỉ, làm bù")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


class CaseKind(models.TextChoices):
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")
    COMPLAINT = "complaint", _("Khiếu nại")
    DENUNCIATION = "denunciation", _("Tố cáo")
    VOTER_PETITION = "voter_petition", _("Kiến nghị cử tri")
    DIALOGUE_ISSUE = "dialogue_issue", _("Ý kiến tại buổi đối thoại")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp tại trụ sở")
    LETTER = "letter", _("Đơn thư, bưu chính")
    ONLINE = "online", _("Trực tuyến")
    PHONE = "phone", _("Điện thoại, đường dây nóng")
    VOTER_MEETING = "voter_meeting", _("Tiếp xúc cử tri")
    DIALOGUE = "dialogue", _("Đối thoại")
    TRANSFERRED = "transferred", _("Cơ quan khác chuyển đến")
    PRESS = "press", _("Báo chí, mạng xã hội")


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ACCEPTED = "accepted", _("Đang giải quyết")
    RESOLVED = "resolved", _("Đã giải quyết")
    CLOSED = "closed", _("Đã kết thúc")
    RETURNED = "returned", _("Đã trả lại, hướng dẫn")
    TRANSFERRED = "transferred", _("Đã chuyển cơ quan khác")
    ARCHIVED = "archived", _("Đã lưu đơn")
    WITHDRAWN = "withdrawn", _("Đã rút")


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Đúng")
    PARTLY_UPHELD = "partly_upheld", _("Đúng một phần")
    REJECTED = "rejected", _("Sai")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    PARTLY = "partly", _("Hài lòng một phần")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


class Case(TimeStampedModel):
    """One tracked matter, whatever its kind."""

    code = models.CharField(_("mã tra cứu"), max_length=16, unique=True, editable=False)
    pin_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(
        _("kênh tiếp nhận"), max_length=20, choices=Channel.choices
    )
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    content = models.TextField(_("nội dung"))
    location_unit = models.ForeignKey(
        Unit,
        verbose_name=_("thôn, xóm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": UnitKind.HAMLET},
    )
    location_text = models.CharField(_("địa điểm"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_cases",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=Status.choices,
        default=Status.RECEIVED,
        editable=False,
    )
    stage = models.CharField(_("bước"), max_length=32, blank=True, editable=False)
    stage_due_on = models.DateField(_("hạn bước hiện tại"), null=True, editable=False)
    final_due_on = models.DateField(_("hạn giải quyết"), null=True, editable=False)
    accepted_at = models.DateTimeField(_("ngày thụ lý"), null=True, editable=False)
    resolved_at = models.DateTimeField(_("ngày giải quyết"), null=True, editable=False)
    closed_at = models.DateTimeField(_("ngày kết thúc"), null=True, editable=False)
    extensions = models.PositiveSmallIntegerField(
        _("số lần gia hạn"), default=0, editable=False
    )

    is_complex = models.BooleanField(_("phức tạp"), default=False)
    is_mass = models.BooleanField(_("đông người"), default=False)
    is_prolonged = models.BooleanField(_("kéo dài, tái khiếu"), default=False)
    is_hot_spot = models.BooleanField(_("điểm nóng"), default=False)
    is_anonymous = models.BooleanField(_("nặc danh"), default=False)
    is_second_time = models.BooleanField(_("khiếu nại lần hai"), default=False)
    petitioner_count = models.PositiveIntegerField(
        _("số người"), default=1, validators=[MinValueValidator(1)]
    )

    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("trùng với"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    previous_case = models.ForeignKey(
        "self",
        verbose_name=_("vụ việc trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    transferred_from = models.ForeignKey(
        Unit,
        verbose_name=_("chuyển từ đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("kết quả"), max_length=16, choices=Outcome.choices, blank=True
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    public_answer = models.TextField(_("nội dung trả lời"), blank=True)
    satisfaction = models.CharField(
        _("mức độ hài lòng"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    # Bumped by every write so that concurrent editors can detect a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["pin_hash"])

    class Meta:
        verbose_name = _("vụ việc")
        verbose_name_plural = _("vụ việc")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_unit", "status", "stage_due_on"]),
            models.Index(fields=["status", "stage_due_on"]),
            models.Index(fields=["kind", "received_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["created_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseKind.values), name="case_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="case_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RESOLVED) | ~Q(public_answer=""),
                name="case_resolved_has_answer",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def display_code(self):
        from feedback.tracking import format_code

        return format_code(self.code)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", _("Người gửi đơn")
    REPRESENTATIVE = "representative", _("Người đại diện")
    DENOUNCED = "denounced", _("Người, cơ quan bị tố cáo")


class Party(TimeStampedModel):
    """A person or body named in a case."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("vụ việc"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=PartyRole.choices)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    national_id = models.CharField(
        _("số định danh cá nhân (CCCD)"),
        max_length=12,
        blank=True,
        validators=[validators.validate_national_id],
    )
    phone = models.CharField(
        _("số điện thoại"),
        max_length=15,
        blank=True,
        validators=[validators.validate_phone],
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("người liên quan")
        verbose_name_plural = _("người liên quan")
        ordering = ["case", "role", "id"]
        indexes = [
            models.Index(fields=["national_id"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class EventKind(models.TextChoices):
    CREATED = "created", _("Tiếp nhận")
    STATUS = "status", _("Chuyển trạng thái")
    NOTE = "note", _("Ghi chú tiến độ")
    ASSIGNMENT = "assignment", _("Phân công")
    TRANSFER = "transfer", _("Chuyển đơn vị")
    EXTENSION = "extension", _("Gia hạn")
    ANSWER = "answer", _("Trả lời")
    CORRECTION = "correction", _("Đính chính")


class CaseEvent(models.Model):
    """One entry of a case's timeline. Rows are only ever added."""

    case = models.ForeignKey(
        Case, verbose_name=_("vụ việc"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=EventKind.choices)
    action = models.CharField(_("thao tác"), max_length=32, blank=True)
    from_status = models.CharField(
        _("từ trạng thái"), max_length=16, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        _("sang trạng thái"), max_length=16, choices=Status.choices, blank=True
    )
    is_public = models.BooleanField(_("công khai"), default=False)
    text = models.TextField(_("nội dung"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%d/%m/%Y %H:%M}"


def attachment_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class Attachment(TimeStampedModel):
    """A scanned letter or document, stored outside the web root."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("vụ việc"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("tệp"), upload_to=attachment_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveIntegerField(
        _("dung lượng"), validators=[MaxValueValidator(20 * 1024 * 1024)]
    )
    # An attachment that identifies a denouncer (their handwriting, say).
    is_confidential = models.BooleanField(_("mật"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["case", "id"]

    def __str__(self):
        return self.original_name
