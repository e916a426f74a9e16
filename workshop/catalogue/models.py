from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("category", kwargs={"slug": self.slug})


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    brand = models.CharField(max_length=80, db_index=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    specs = models.JSONField(default=dict, blank=True)
    featured = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["category", "price"]),
            models.Index(fields=["category", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("product", kwargs={"slug": self.slug})


def stars(rating: float) -> str:
    """A rating out of five as stars, rounded to the nearest whole star: "★★★★☆"."""
    whole = int(rating + 0.5)
    return "★" * whole + "☆" * (5 - whole)


class Review(models.Model):
    """What a customer thought of a product. Shown by the author's display name only
    ("Priya S."), never by their account: a review is public, its author's account is not."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.CharField(max_length=80)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(max_length=120)
    body = models.TextField()
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["product", "-created"])]
        constraints = [
            # The forms check it too; this keeps a script or a shell from storing a 7.
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.rating}/5)"

    @property
    def stars(self) -> str:
        return stars(self.rating)
