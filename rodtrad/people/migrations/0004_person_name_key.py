"""Person.name_key: the folded name that name search compares with (people/search.py), its
index, and the key of every person already stored."""

from django.conf import settings
from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    # The same folding as the running code: a key made by another rule would not be found.
    from rodtrad.people.search import search_key

    Person = apps.get_model("people", "Person")
    batch = []
    for person in Person.objects.only("pk", "given_name", "family_name").iterator(chunk_size=2000):
        person.name_key = search_key(person.given_name, person.family_name)
        batch.append(person)
        if len(batch) == 2000:
            Person.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_activation_code"),
        ("people", "0003_handler_approval"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=250),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["district", "name_key"], name="person_district_name_key"),
        ),
    ]
