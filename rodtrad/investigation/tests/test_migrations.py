"""Migration 0005: kommunicering rows from before keep their typed recipient as legacy text."""

from __future__ import annotations

from rodtrad.lib.testing import throwaway_database

BEFORE = """
from django.db import connection
from django.utils import timezone
from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.investigation.tests.factories import InvestigationFactory

author = UserFactory()
investigation = InvestigationFactory(opened_by=author)
with connection.cursor() as cursor:
    for recipient in ("Vårdnadshavarna", ""):
        cursor.execute(
            "INSERT INTO investigation_communication (investigation_id, subject, recipient,"
            " sent_on, answer, recorded_at, recorded_by_id, version)"
            " VALUES (%s, 'Utredningen.', %s, %s, '', %s, %s, 1)",
            [investigation.pk, recipient, timezone.localdate(), timezone.now(), author.pk],
        )
"""

AFTER = """
from rodtrad.investigation.models import Communication

for row in Communication.objects.order_by("pk"):
    print(repr((row.legacy_recipient, row.recipient_id, row.recipient_relationship_id)))
"""


def test_migration_0005_keeps_typed_recipients_as_legacy_text():
    with throwaway_database(name_prefix="rodtrad_comm") as database:
        database.run_django("migrate", "investigation", "0004", "-v", "0")
        database.run_django("shell", "-v", "0", "-c", BEFORE)
        database.run_django("migrate", "investigation", "-v", "0")
        rows = database.run_django("shell", "-v", "0", "-c", AFTER).stdout.split("\n")
    assert rows[:2] == ["('Vårdnadshavarna', None, None)", "('–', None, None)"]
