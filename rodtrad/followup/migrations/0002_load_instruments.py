"""Load the shipped example instruments (rodtrad/followup/data/instruments.toml)."""

from django.db import migrations

from rodtrad.followup.loader import apply_instruments, read_instruments


def load(apps, schema_editor):
    apply_instruments(read_instruments(), instrument_model=apps.get_model("followup", "Instrument"))


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
