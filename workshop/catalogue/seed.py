"""A deterministic, realistic catalogue for the fictional Brightwire Electronics.

The same seed always gives the same products, slugs and prices, so every stage, test
and benchmark sees the same shop. All brands are invented.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils.text import slugify

PRODUCTS_PER_CATEGORY = 210
DEMO_PASSWORD = "brightwire-demo"
DEMO_CUSTOMERS = [f"shopper{n:02d}" for n in range(1, 21)]
DEMO_FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack"]


@dataclass(frozen=True)
class Kind:
    """What one category sells: its brands, product lines, price range and specs."""

    category: str
    description: str
    lines: tuple[str, ...]
    brands: tuple[str, ...]
    price: tuple[int, int]
    specs: dict[str, tuple]


KINDS = [
    Kind(
        "Televisions",
        "Big screens for every living room.",
        ("Vista", "Cinema", "Aurora", "Pixel"),
        ("Nordvik", "Solace", "Kaito", "Lumora"),
        (229, 2999),
        {
            "Screen": ("43 in", "50 in", "55 in", "65 in", "75 in"),
            "Panel": ("LED", "QLED", "OLED"),
            "Resolution": ("4K UHD", "8K"),
        },
    ),
    Kind(
        "Laptops",
        "Work and play on the go.",
        ("Airbook", "Workmate", "Stratos", "Vector"),
        ("Corvan", "Ionix", "Hawthorn", "Tessel"),
        (349, 3299),
        {
            "Screen": ("13.3 in", "14 in", "15.6 in", "16 in"),
            "Memory": ("8 GB", "16 GB", "32 GB"),
            "Storage": ("256 GB SSD", "512 GB SSD", "1 TB SSD"),
        },
    ),
    Kind(
        "Desktop Computers",
        "Towers and all-in-ones.",
        ("Tower", "Studio", "Forge", "Cube"),
        ("Corvan", "Ionix", "Hawthorn"),
        (399, 3999),
        {"Processor": ("6 cores", "8 cores", "12 cores"), "Memory": ("16 GB", "32 GB", "64 GB")},
    ),
    Kind(
        "Monitors",
        "Sharper screens for your desk.",
        ("Clarity", "ProView", "Arc", "Frame"),
        ("Nordvik", "Tessel", "Kaito"),
        (99, 1499),
        {
            "Screen": ("24 in", "27 in", "32 in", "34 in ultrawide"),
            "Refresh rate": ("60 Hz", "144 Hz", "240 Hz"),
        },
    ),
    Kind(
        "Tablets",
        "Light, bright and always with you.",
        ("Slate", "Leaf", "Tab"),
        ("Ionix", "Solace", "Tessel"),
        (129, 1399),
        {"Screen": ("8 in", "10.9 in", "12.4 in"), "Storage": ("64 GB", "128 GB", "256 GB")},
    ),
    Kind(
        "Smartphones",
        "Phones unlocked for any network.",
        ("Nova", "Edge", "Lumo", "Flip"),
        ("Kaito", "Ionix", "Solace", "Veyra"),
        (149, 1599),
        {
            "Screen": ("6.1 in", "6.5 in", "6.8 in"),
            "Storage": ("128 GB", "256 GB", "512 GB"),
            "Camera": ("48 MP", "50 MP", "108 MP"),
        },
    ),
    Kind(
        "Headphones",
        "Over-ear, on-ear and in-ear sound.",
        ("Hush", "Studio", "Pulse", "Drift"),
        ("Aurelle", "Sonik", "Veyra"),
        (19, 549),
        {
            "Type": ("Over-ear", "On-ear", "In-ear"),
            "Noise cancelling": ("Yes", "No"),
            "Battery": ("20 h", "30 h", "40 h"),
        },
    ),
    Kind(
        "Speakers",
        "Fill the room with music.",
        ("Boom", "Echo", "Resonance", "Mini"),
        ("Aurelle", "Sonik", "Lumora"),
        (29, 899),
        {
            "Connection": ("Bluetooth", "Wi-Fi", "Wi-Fi and Bluetooth"),
            "Power": ("10 W", "30 W", "60 W", "120 W"),
        },
    ),
    Kind(
        "Soundbars",
        "Cinema sound without the cinema.",
        ("Cinebar", "Arc", "Stage"),
        ("Aurelle", "Sonik", "Nordvik"),
        (99, 1299),
        {"Channels": ("2.1", "3.1", "5.1", "7.1.2"), "Subwoofer": ("Built in", "Wireless")},
    ),
    Kind(
        "Cameras",
        "Capture every moment.",
        ("Focus", "Shutter", "Prism", "Trek"),
        ("Lumis", "Kaito", "Orrin"),
        (199, 3499),
        {
            "Sensor": ("APS-C", "Full frame", "Micro Four Thirds"),
            "Resolution": ("24 MP", "33 MP", "45 MP"),
        },
    ),
    Kind(
        "Drones",
        "Your camera, in the sky.",
        ("Skylark", "Hover", "Falcon"),
        ("Orrin", "Lumis"),
        (149, 1999),
        {"Flight time": ("25 min", "31 min", "46 min"), "Video": ("2.7K", "4K", "5.1K")},
    ),
    Kind(
        "Games Consoles",
        "Play at home and on the go.",
        ("Arcadia", "Quest", "Portable"),
        ("Pixelforge", "Kaito"),
        (199, 599),
        {"Storage": ("512 GB", "1 TB", "2 TB"), "Output": ("1080p", "4K")},
    ),
    Kind(
        "Gaming Accessories",
        "Controllers, headsets and more.",
        ("Pro Pad", "Raid", "Swift"),
        ("Pixelforge", "Sonik", "Tessel"),
        (15, 249),
        {
            "Connection": ("Wired", "Wireless"),
            "Compatible with": ("PC", "Console", "PC and console"),
        },
    ),
    Kind(
        "Smart Home",
        "Lights, plugs and hubs that listen.",
        ("Hub", "Glow", "Sense", "Plug"),
        ("Homely", "Lumora", "Veyra"),
        (12, 399),
        {"Works with": ("Wi-Fi", "Zigbee", "Thread"), "Voice control": ("Yes", "No")},
    ),
    Kind(
        "Wearables",
        "Watches and trackers.",
        ("Pace", "Pulse", "Stride"),
        ("Veyra", "Kaito", "Homely"),
        (39, 799),
        {"Display": ("AMOLED", "LCD", "E-ink"), "Battery": ("2 days", "7 days", "14 days")},
    ),
    Kind(
        "Printers",
        "Ink, laser and photo printers.",
        ("Jet", "Laser", "Office"),
        ("Inkwell", "Corvan"),
        (59, 899),
        {"Type": ("Inkjet", "Laser", "Photo"), "Wireless": ("Yes", "No")},
    ),
    Kind(
        "Networking",
        "Routers, mesh and switches.",
        ("Mesh", "Router", "Switch"),
        ("Netwyn", "Ionix"),
        (25, 699),
        {"Wi-Fi": ("Wi-Fi 5", "Wi-Fi 6", "Wi-Fi 7"), "Ports": ("4", "8", "16")},
    ),
    Kind(
        "Storage",
        "Drives, cards and backups.",
        ("Vault", "Portable", "Card"),
        ("Tessel", "Netwyn", "Corvan"),
        (9, 899),
        {
            "Capacity": ("256 GB", "1 TB", "2 TB", "4 TB", "8 TB"),
            "Interface": ("USB-C", "SATA", "NVMe"),
        },
    ),
    Kind(
        "Projectors",
        "A cinema on any wall.",
        ("Beam", "Cinema", "Pocket"),
        ("Lumis", "Nordvik"),
        (149, 2999),
        {"Brightness": ("500 lm", "2000 lm", "3500 lm"), "Resolution": ("1080p", "4K")},
    ),
    Kind(
        "Kitchen Appliances",
        "Blenders, kettles and coffee machines.",
        ("Brew", "Blend", "Chef"),
        ("Homely", "Kessler"),
        (19, 899),
        {"Power": ("800 W", "1500 W", "2200 W"), "Capacity": ("1 l", "1.7 l", "2 l")},
    ),
    Kind(
        "Vacuum Cleaners",
        "Cordless, robot and upright.",
        ("Swift", "Robo", "Cyclone"),
        ("Kessler", "Homely"),
        (79, 999),
        {"Type": ("Cordless", "Robot", "Upright"), "Run time": ("40 min", "60 min", "90 min")},
    ),
    Kind(
        "Cables and Chargers",
        "Power and connect everything.",
        ("Charge", "Link", "Dock"),
        ("Netwyn", "Tessel", "Veyra"),
        (5, 149),
        {
            "Connector": ("USB-C", "Lightning", "HDMI", "DisplayPort"),
            "Length": ("1 m", "2 m", "3 m"),
        },
    ),
    Kind(
        "Car Electronics",
        "Dash cams and in-car audio.",
        ("Road", "Dash", "Drive"),
        ("Orrin", "Sonik"),
        (29, 599),
        {"Video": ("1080p", "1440p", "4K"), "GPS": ("Yes", "No")},
    ),
    Kind(
        "Radios and Hi-Fi",
        "DAB radios, turntables and amplifiers.",
        ("Tune", "Deck", "Classic"),
        ("Aurelle", "Kessler"),
        (39, 1499),
        {"Type": ("DAB radio", "Turntable", "Amplifier", "CD player"), "Bluetooth": ("Yes", "No")},
    ),
]


def catalogue_rows(*, seed: int = 2010):
    """Yield (category fields, product fields) for the whole catalogue, deterministically."""
    rng = random.Random(seed)
    for kind in KINDS:
        category = {
            "name": kind.category,
            "slug": slugify(kind.category),
            "description": kind.description,
        }
        for n in range(PRODUCTS_PER_CATEGORY):
            yield category, _product(rng, kind, n)


def _product(rng: random.Random, kind: Kind, n: int) -> dict:
    brand = kind.brands[n % len(kind.brands)]
    line = kind.lines[(n // len(kind.brands)) % len(kind.lines)]
    model = f"{rng.choice('ABCDEFGHKMRSTX')}{rng.randrange(100, 1000)}"
    specs = {name: rng.choice(values) for name, values in kind.specs.items()}
    headline = next(iter(specs.values()))
    name = f"{brand} {line} {model} {headline}"
    low, high = kind.price
    price = Decimal(round(rng.uniform(low, high))) - Decimal("0.01")
    return {
        "name": name,
        "slug": slugify(f"{name} {n}"),
        "brand": brand,
        "price": max(price, Decimal("4.99")),
        "stock": rng.choice([0, 3, 8, 25, 60, 150, 400]),
        "description": (
            f"The {brand} {line} {model} is a {kind.category.lower().rstrip('s')} "
            f"with {', '.join(f'{k.lower()} {v}' for k, v in specs.items())}. "
            f"{kind.description}"
        ),
        "specs": specs,
        "featured": n % 100 == 42,  # two per category, spread over the brands
    }


# Reviews: what customers wrote, as a shop's product pages show it. Every product gets
# its own few, from its own random stream, so re-seeding one product changes no other.
REVIEWERS = ("Priya", "Tom", "Mei", "Liam", "Aisha", "Noah", "Sofia", "Oliver", "Zara", "Ravi")
REVIEW_WORDS = {
    5: ("Brilliant value", "Exactly what I wanted", "Could not be happier"),
    4: ("Very good for the price", "Happy with it", "Does the job well"),
    3: ("Decent, not amazing", "Fine for everyday use", "Mixed feelings"),
    2: ("Expected more", "Average at best", "Some niggles"),
    1: ("Disappointed", "Went back the same week", "Not for me"),
}
REVIEW_BODIES = {
    5: ("Set up in minutes and works perfectly. Delivery was quick too.",
        "Great quality for what I paid. Would buy from Brightwire again."),
    4: ("Solid build and easy to use. Nothing fancy, but it does what it says.",
        "Good value. It took a day longer to arrive than promised."),
    3: ("Fine for everyday use. The manual could be clearer.",
        "Does the job, though the finish feels cheap."),
    2: ("It works, just about. Not what the photos suggest.",
        "I had to return the first one; the replacement is OK."),
    1: ("Stopped working after a week and went back.",
        "Nothing like the description. The refund was quick, at least."),
}  # fmt: skip
REVIEWS_SINCE = datetime(2010, 6, 1, tzinfo=UTC)  # the new site's launch


def review_rows(slug: str) -> list[dict]:
    """The seeded reviews of the product with this slug."""
    rng = random.Random(slug)
    rows = []
    for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8])):
        rating = rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 15, 8, 7])[0]
        rows.append({
            "author": f"{rng.choice(REVIEWERS)} {rng.choice('ABCDEFGHJKLMNPRSTW')}.",
            "rating": rating,
            "title": rng.choice(REVIEW_WORDS[rating]),
            "body": rng.choice(REVIEW_BODIES[rating]),
            "created": REVIEWS_SINCE + timedelta(minutes=rng.randrange(60 * 24 * 365)),
        })  # fmt: skip
    return rows
