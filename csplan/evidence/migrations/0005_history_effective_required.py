"""The effective date is required from now on (a separate step: PostgreSQL will not alter a
table with the updates of the same transaction pending)."""

from django.db import migrations, models

HELP = (
    "The business date the change takes effect (a decision's date, the end of a movement's "
    "monitoring month, or the day of a plain edit)."
)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0004_history_effective")]

    operations = [
        migrations.AlterField(
            model_name="historicalevidence",
            name="effective",
            field=models.DateField(db_index=True, help_text=HELP, verbose_name="takes effect"),
        ),
    ]
