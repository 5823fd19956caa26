"""The catalogue's rules: matters are edited through the registry's save_record (scope and
audit), and read here for the public guide."""

from django.db.models import Prefetch, Q

from .models import Material, Matter, Step


def public_matters(q: str = ""):
    """Offered matters, searchable by name, unit or material (the public guide, R-CAT-3)."""
    qs = Matter.objects.filter(active=True).select_related("unit", "unit__sector")
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(name_en__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(materials__name__icontains=q)
        ).distinct()
    return qs.order_by("unit__sector__order", "unit__name", "order", "code")


def matter_detail(code: str) -> Matter:
    return (
        Matter.objects.select_related("unit")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "pk")),
            Prefetch("steps", queryset=Step.objects.order_by("order")),
        )
        .get(code=code, active=True)
    )


def promised_text(matter: Matter) -> str:
    from django.utils.translation import gettext as _

    if matter.on_the_spot:
        return _("done on the spot when the materials are complete")
    return f"{matter.promised_n} {matter.get_promised_unit_display()}"
