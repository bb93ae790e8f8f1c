"""Attaching evidence carries the business date it takes effect; evidence recorded before this
has no other date than when it was recorded, so that is its effective date."""

from django.db import migrations, models
from django.db.models.functions import TruncDate


def date_as_recorded(apps, schema_editor):
    apps.get_model("evidence", "historicalevidence").objects.update(
        effective=TruncDate("history_date")
    )


class Migration(migrations.Migration):
    dependencies = [("evidence", "0003_whole_system_kinds")]

    operations = [
        migrations.AddField(
            model_name="historicalevidence",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.RunPython(date_as_recorded, migrations.RunPython.noop),
    ]
