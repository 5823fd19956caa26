"""Reference data shipped with the application."""

import csv
from pathlib import Path

SECTORS_CSV = Path(__file__).resolve().parent / "sectors.csv"


def load_sectors(Sector):
    """Create the 35 sectors of the city plan that are missing (Sector may be a historical
    model inside a migration). Returns how many were created."""
    existing = set(Sector.objects.values_list("code", flat=True))
    created = 0
    with SECTORS_CSV.open(encoding="utf-8") as f:
        for order, row in enumerate(csv.DictReader(f), start=1):
            if row["code"] in existing:
                continue
            Sector.objects.create(
                code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"], order=order
            )
            created += 1
    return created
