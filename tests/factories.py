"""factory_boy factories for the case core."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from feedback.models import Field, Membership, Unit, UnitKind
from feedback.services.cases import PartyInput, case_create


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = UnitKind.OFFICE
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "officer"


def staff(unit, role, **user_fields):
    """A user holding ``role`` in ``unit``."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def petitioner(**overrides):
    values = {
        "role": "petitioner",
        "full_name": "Trần Thị Bích Ngọc",
        "national_id": "040190012345",
        "phone": "0912345678",
        "address": "Xóm 3, xã Xuân Thành",
    }
    values.update(overrides)
    return PartyInput(**values)


def make_case(*, actor, unit, kind="feedback", received_at=None, **overrides):
    """Create a case through the service, as reception would."""
    values = {
        "actor": actor,
        "kind": kind,
        "channel": "in_person",
        "field": Field.objects.get(code="land"),
        "title": "Đường liên xóm xuống cấp",
        "content": "Đoạn đường qua xóm 3 bị sụt lún, đề nghị sửa chữa.",
        "responsible_unit": unit,
        "received_at": received_at or timezone.now() - dt.timedelta(hours=1),
        "parties": [petitioner()],
    }
    values.update(overrides)
    return case_create(**values)
