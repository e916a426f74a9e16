"""Deploy 2 of 2 (contract), for the release after stage 05: the order's email becomes
required. Not in orders/migrations/ yet, on purpose: stage 05's code writes the email on
every order, but the code before it (stage 04's) does not, and it may still run beside
stage 05 in a rolling deploy. Applied too early, this breaks it: its INSERT names no email,
and MariaDB refuses a NOT NULL column without a value. (`workshop test 04 --schema-of 05`
shows it: tests/tooling/test_old_code_new_schema.py.)

To ship it, once no server runs code older than stage 05:
  1. copy this file into orders/migrations/;
  2. set `email = models.EmailField(editable=False)` in orders/models.py;
  3. tell the linter this step was reviewed: it flags the NOT NULL constraint, rightly, as
     the code two releases back would break (workshop/migration_linter_settings.py).
"""

from django.db import migrations, models
from django.db.models import Max, Min, OuterRef, Subquery

BATCH = 1000


def email_backfill(apps, schema_editor):
    """The orders that the old code placed during deploy 1's rollout, after its backfill."""
    Order = apps.get_model("orders", "Order")
    User = apps.get_model("auth", "User")  # the shop's customers (no custom user model)
    email = Subquery(User.objects.filter(pk=OuterRef("customer_id")).values("email")[:1])
    span = Order.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if span["first"] is None:
        return
    for start in range(span["first"], span["last"] + 1, BATCH):
        batch = Order.objects.filter(pk__gte=start, pk__lt=start + BATCH, email=None)
        batch.update(email=email)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0003_order_email")]

    operations = [
        migrations.RunPython(email_backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="email",
            field=models.EmailField(editable=False, max_length=254),
        ),
    ]
