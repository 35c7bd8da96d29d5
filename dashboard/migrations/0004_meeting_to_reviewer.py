"""Meeting now lives in reviewer/ (reviewer 0014 took the table over): dashboard forgets
the model without dropping the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_api_tokens"),
        ("reviewer", "0014_meeting_from_dashboard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Meeting")],
            database_operations=[],
        ),
    ]
