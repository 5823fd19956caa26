"""The public catalogue: matters with materials, steps, limits and fees (R-CAT-1, R-CAT-3)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from servicehall.core.schemas import RateLimitedOut

from .models import Matter
from .services import public_matters

router = Router(tags=["catalogue"])


class MaterialOut(Schema):
    name: str
    form: str
    count: int
    required: bool
    condition: str


class MatterStepOut(Schema):
    order: int
    name: str
    role: str
    limit_n: int
    limit_unit: str
    pausable: bool


class MatterOut(Schema):
    code: str
    name: str
    name_en: str
    unit_code: str
    promised_n: int
    promised_unit: str
    statutory_n: int | None
    statutory_unit: str
    fee_fen: int
    fee_basis: str
    max_visits: int
    green_channel: bool
    channels: list[str]

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code


class MatterDetail(MatterOut):
    conditions: str
    legal_basis: str
    refusal_basis: str
    handler: str
    contact_phone: str
    materials: list[MaterialOut]
    steps: list[MatterStepOut]

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


@router.get("/matters", response={200: list[MatterOut], 429: RateLimitedOut}, auth=None)
def matters(request, q: str = "", unit: str = ""):
    if q:
        from servicehall.core.ratelimits import limit

        limit(request, "search")
    qs = public_matters(q)
    if unit:
        qs = qs.filter(unit__code=unit)
    return qs


@router.get("/matters/{code}", response=MatterDetail, auth=None)
def matter(request, code: str):
    return get_object_or_404(Matter.objects.select_related("unit"), code=code, active=True)
