"""Kommunicering goes to one of the case's persons, never to a typed recipient.

Existing rows keep what was typed, in `legacy_recipient` (renamed, so no text is copied or
lost), and are shown as free text from an older version. A row whose typed text was empty
gets a dash, so that every row names a recipient one way or the other (the new constraint).
"""

import django.db.models.deletion
from django.db import migrations, models

LEGACY_EMPTY = "–"


def name_the_empty_legacy_recipients(apps, schema_editor):
    Communication = apps.get_model("investigation", "Communication")
    Communication.objects.filter(recipient__isnull=True, legacy_recipient="").update(
        legacy_recipient=LEGACY_EMPTY
    )


class Migration(migrations.Migration):
    dependencies = [
        ("investigation", "0004_document_unique_draft"),
        ("people", "0002_person_and_relationship_constraints"),
    ]

    operations = [
        migrations.RenameField(
            model_name="communication", old_name="recipient", new_name="legacy_recipient"
        ),
        migrations.AlterField(
            model_name="communication",
            name="legacy_recipient",
            field=models.CharField(
                blank=True,
                max_length=200,
                verbose_name="mottagare (fritext från en äldre version)",
            ),
        ),
        migrations.AddField(
            model_name="communication",
            name="recipient",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
                verbose_name="mottagare",
            ),
        ),
        migrations.AddField(
            model_name="communication",
            name="recipient_relationship",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.relationship",
                verbose_name="mottagarens relation till barnet",
            ),
        ),
        migrations.AddField(
            model_name="communication",
            name="is_secrecy_checked",
            field=models.BooleanField(default=False, verbose_name="sekretessprövning gjord"),
        ),
        migrations.RunPython(name_the_empty_legacy_recipients, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="communication",
            constraint=models.CheckConstraint(
                condition=models.Q(("recipient__isnull", False))
                | models.Q(("legacy_recipient", ""), _negated=True),
                name="communication_has_a_recipient",
            ),
        ),
    ]
