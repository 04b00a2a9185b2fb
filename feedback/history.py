"""simple-history's ``HistoricalRecords``, with each version built from the
saved instance's values directly.

simple-history builds a version with the historical model's ``__init__``,
by keyword, which for a model of fifty columns costs more than inserting
the row (every intake records the new case's first version).  Here the
version's columns are filled from the instance's attributes and the
historical fields' defaults, as that ``__init__`` would fill them, and the
rest is simple-history's own: the same signals around the same save, the
same user, date and reason.  A historical model that anything could tell
apart (an ``__init__`` of its own, ``pre_init`` or ``post_init`` receivers,
a ``history_relation``) goes through simple-history's way.
"""

from __future__ import annotations

from django.utils import timezone
from simple_history import models as simple_history

from feedback.prepared import builds_plainly, plain_instance

_UNSET = object()
# Set by simple-history itself on every version.
_SET_PER_VERSION = frozenset(
    {"history_date", "history_type", "history_user_id", "history_change_reason"}
)


class HistoricalRecords(simple_history.HistoricalRecords):
    def create_historical_record(self, instance, history_type, using=None):
        history_model = getattr(instance, self.manager_name).model
        columns = self._columns(instance, history_model)
        if columns is None or not builds_plainly(history_model):
            return super().create_historical_record(instance, history_type, using)
        using = using if self.use_base_model_db else None
        history_date = getattr(instance, "_history_date", _UNSET)
        if history_date is _UNSET:
            history_date = timezone.now()
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(
            instance, history_type, using
        )
        copied, others, user_field = columns
        version = plain_instance(history_model)
        values = version.__dict__
        saved = instance.__dict__
        for name in copied:
            # A deferred field is loaded, as ``getattr`` does.
            values[name] = saved[name] if name in saved else getattr(instance, name)
        for field in others:
            values[field.attname] = None if field.primary_key else field.get_default()
        values["history_date"] = history_date
        values["history_type"] = history_type
        values["history_change_reason"] = history_change_reason
        values["history_user_id"] = getattr(history_user, "pk", None)
        if history_user is not None:
            user_field.set_cached_value(version, history_user)
        common = {
            "sender": history_model,
            "instance": instance,
            "history_date": history_date,
            "history_user": history_user,
            "history_change_reason": history_change_reason,
            "history_instance": version,
            "using": using,
        }
        simple_history.pre_create_historical_record.send(**common)
        version.save(using=using)
        self.create_historical_record_m2ms(version, instance)
        simple_history.post_create_historical_record.send(**common)

    def _columns(self, instance, history_model) -> tuple | None:
        """The attribute names copied from ``instance``, the historical
        model's other fields (filled with their defaults) and its user
        field, once per model; ``None`` for a model built another way."""
        if "_version_columns" not in history_model.__dict__:
            history_model._version_columns = None
            attnames = {f.attname for f in history_model._meta.concrete_fields}
            # (An ``__init__`` of its own is ``builds_plainly``'s to refuse.)
            if (
                getattr(history_model, "history_relation", None) is None
                and attnames >= _SET_PER_VERSION
            ):
                copied = tuple(f.attname for f in self.fields_included(instance))
                others = tuple(
                    field
                    for field in history_model._meta.concrete_fields
                    if field.attname not in copied
                    and field.attname not in _SET_PER_VERSION
                )
                history_model._version_columns = (
                    copied,
                    others,
                    history_model._meta.get_field("history_user"),
                )
        return history_model._version_columns
