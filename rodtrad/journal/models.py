"""The journal: append-only, hash-chained evidence of every write, and every read of a person.

The ORM refuses updates and deletes; database triggers (migration 0002) refuse them too.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a journal row."""


_Row = TypeVar("_Row", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_Row]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("journal rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("journal rows cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("journal rows cannot be updated")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("journal rows cannot be updated")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class JournalHead(models.Model):
    """One row: the chain's newest position and hash. Appending locks it (select_for_update)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class JournalEntry(AppendOnlyModel):
    """One event: who did what to which record, when; chained to the entry before it."""

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    roles = models.CharField(max_length=200, blank=True)
    district = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(fields=["person_id", "occurred_at"]),
            models.Index(fields=["case_id", "occurred_at"]),
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["action", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AccessAction(models.TextChoices):
    VIEWED = "viewed", "visad"
    LISTED = "listed", "listad"
    SEARCHED = "searched", "sökträff"
    EXPORTED = "exported", "exporterad"
    PRINTED = "printed", "utskriven"
    DENIED = "denied", "nekad"


class AccessEvent(AppendOnlyModel):
    """A read: a page or response that showed a person or a case (HSLF-FS 2016:40 model)."""

    occurred_at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    roles = models.CharField(max_length=200, blank=True)
    districts = models.CharField(max_length=200, blank=True)
    units = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    person_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    is_protected = models.BooleanField(default=False)
    is_emergency = models.BooleanField(default=False)
    emergency_access_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    route = models.CharField(max_length=80, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["person_id", "occurred_at"]),
            models.Index(fields=["case_id", "occurred_at"]),
            models.Index(fields=["user", "occurred_at"]),
            # The team managers' review list reads every event of up to 200 grants at once
            # (cases.views.emergency_review_list); without this it scanned every event.
            models.Index(
                fields=["emergency_access_id", "occurred_at"],
                name="access_event_grant",
                condition=models.Q(emergency_access_id__isnull=False),
            ),
        ]


class Checkpoint(models.Model):
    """An exported checkpoint (count + head hash), kept so a later verify can compare."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    exported_at = models.DateTimeField(auto_now_add=True)
    exported_by = models.CharField(max_length=150, blank=True)
