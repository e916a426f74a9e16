"""Deploy 1 of 2 (expand): every order gets the address its receipt went to.

The column is added nullable, so that the code before this deploy, still serving while the
new servers start, goes on inserting orders without it; on MariaDB the ADD COLUMN is
instant and takes no long lock. The backfill then fills the orders placed so far, in small
batches that each commit on their own. Deploy 2 (deploys/next/) makes the column required
once no running server places an order without it.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, Min, OuterRef, Subquery

# Rows per UPDATE: each batch holds its row locks briefly, and reaches the replicas as one
# small transaction rather than one that holds up their replication for the whole table.
BATCH = 1000


def email_backfill(apps, schema_editor):
    """Orders without an address get their customer's current one: the best known now."""
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
    # Each batch commits on its own (MariaDB cannot roll DDL back anyway).
    atomic = False

    dependencies = [
        ("orders", "0002_order_checkout_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="email",
            field=models.EmailField(editable=False, max_length=254, null=True),
        ),
        # Reversible: going back, the AddField's reverse drops the column and what it held.
        migrations.RunPython(email_backfill, migrations.RunPython.noop),
    ]
