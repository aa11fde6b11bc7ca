from .models import CatalogItem, Spot


def catalog_by_category() -> dict[str, list[CatalogItem]]:
    """Return every category, empty ones included, with its items in order."""
    grouped = {category: [] for category in CatalogItem.Category.values}
    for item in CatalogItem.objects.only("id", "category", "name", "price"):
        grouped[item.category].append(item)
    return grouped


def items_in_category(category: str) -> list[CatalogItem]:
    return list(CatalogItem.objects.filter(category=category))


def spots_newest_first() -> list[Spot]:
    return list(Spot.objects.all())
