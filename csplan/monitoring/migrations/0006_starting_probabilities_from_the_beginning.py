"""csplan's starting delivery probabilities were dated the day a council first needed them, so
on any later day they outranked a set the council had calibrated for an earlier year. They are
in force from the beginning (``csplan.monitoring.risk.DEFAULT_AS_OF``), as new ones now are."""

import datetime

from django.db import migrations

STARTING_LABEL = "csplan starting values (replace with the council's own)"


def date_from_the_beginning(apps, schema_editor):
    sets = apps.get_model("monitoring", "ragprobabilityset").objects
    sets.filter(label=STARTING_LABEL).update(as_of=datetime.date.min)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_movement_increase_reduction")]

    operations = [migrations.RunPython(date_from_the_beginning, migrations.RunPython.noop)]
