"""The same change in one deploy: what `makemigrations` writes for a required field when
asked for a one-off default. Never shipped: the linter flags it (NOT NULL constraint on
columns, tests/tooling/test_migration_linter.py). The default fills the existing rows and is
dropped at once, so the code before this deploy, still serving during the rollout, has its
orders refused: their INSERT names no email.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_order_checkout_key")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="email",
            field=models.EmailField(default="", editable=False, max_length=254),
            preserve_default=False,
        ),
    ]
