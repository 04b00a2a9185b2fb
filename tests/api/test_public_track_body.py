"""The track endpoint builds its body and reads its input without serializers
(``track_result_data``, ``plain_lookup``): both must agree with the
serializers that document the endpoint, on every shape of case."""

import pytest
from django.utils import translation

from api.serializers.public import (
    TrackLookupSerializer,
    TrackResultSerializer,
    plain_lookup,
    track_result_data,
)
from feedback.models import PartyRole
from feedback.services.public import public_case_lookup
from tests.api.test_public import resolve
from tests.factories import make_case, petitioner


def cases(commune):
    received = make_case(actor=commune.reception, unit=commune.office)
    answered = make_case(actor=commune.reception, unit=commune.office)
    resolve(answered.case, commune.leader)
    complaint = make_case(
        actor=commune.reception, unit=commune.office, kind="complaint"
    )
    resolve(complaint.case, commune.leader)
    denunciation = make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        parties=[
            petitioner(),
            petitioner(role=PartyRole.DENOUNCED, full_name="Phạm Văn Hùng"),
        ],
    )
    resolve(denunciation.case, commune.leader)
    return [received, answered, complaint, denunciation]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_body_is_the_serializers(commune, language):
    for created in cases(commune):
        result = public_case_lookup(
            code=created.case.code, pin=created.pin, ip_address="192.0.2.1"
        )
        with translation.override(language):
            expected = TrackResultSerializer(result).data
            built = track_result_data(result)
        assert built == expected
        assert list(built) == list(expected)


@pytest.mark.parametrize(
    "data",
    [
        {"code": "7K3F-9QM2-XT4A", "pin": "123456"},
        {"code": " 7k3f 9qm2 xt4a ", "pin": " 123456 "},
        {"code": "x" * 20, "pin": "000000", "other": 1},
        {"code": "x" * 21, "pin": "123456"},
        {"code": "", "pin": "123456"},
        {"code": "a\x00b", "pin": "123456"},
        {"code": "ñ", "pin": "123456"},
        {"code": 12, "pin": "123456"},
        {"code": "7K3F9QM2XT4A", "pin": 123456},
        {"code": "7K3F9QM2XT4A", "pin": "١٢٣٤٥٦"},
        {"code": "7K3F9QM2XT4A", "pin": "12345"},
        {"code": "7K3F9QM2XT4A"},
        ["7K3F9QM2XT4A", "123456"],
    ],
)
def test_the_plain_reading_accepts_only_what_the_serializer_accepts_as_is(data):
    values = plain_lookup(data)
    if values is None:
        return
    serializer = TrackLookupSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    assert values == (
        serializer.validated_data["code"],
        serializer.validated_data["pin"],
    )
