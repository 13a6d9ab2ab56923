"""Load the five regions (with their KKR) and the 98 municipalities that ship with Samråd."""

from django.db import migrations

from samraad.directory.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(
        apps.get_model("directory", "Region"), apps.get_model("directory", "Municipality")
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
