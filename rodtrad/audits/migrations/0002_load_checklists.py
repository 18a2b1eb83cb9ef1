"""The two example checklists (docs/internal-control.md): the seed's violence checklist and
the 2011/2014 BBIC case-file protocol, from rodtrad/audits/data/."""

from django.db import migrations


def load(apps, schema_editor):
    from rodtrad.audits.checklists import apply_checklists, read_checklist_files

    apply_checklists(
        read_checklist_files(),
        checklist_model=apps.get_model("audits", "Checklist"),
        item_model=apps.get_model("audits", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
