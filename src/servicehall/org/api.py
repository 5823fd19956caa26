"""Registry endpoints. Thin: every change goes through services, which enforce R-ORG-4."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from servicehall.core.masking import mask_phone
from servicehall.core.schemas import DbId, Short, SmallNumber, Text

from . import services
from .choices import Role
from .models import Custody, Sector, Staff, Unit, Window
from .permissions import Action, actor_for, matrix_rows, require

router = Router(tags=["registry"])


class SectorOut(Schema):
    code: str
    name_zh: str
    name_en: str


class WindowOut(Schema):
    id: int
    number: int
    function: str
    kind: str
    is_duty_lead: bool
    active: bool


class WindowIn(Schema):
    number: SmallNumber
    function: Text(Window, "function")
    kind: Text(Window, "kind") = "general"
    is_duty_lead: bool = False
    active: bool = True


class WindowPatch(Schema):
    number: SmallNumber | None = None
    function: Text(Window, "function") | None = None
    kind: Text(Window, "kind") | None = None
    is_duty_lead: bool | None = None
    active: bool | None = None


class StaffOut(Schema):
    id: int
    name: str
    badge_no: str
    role: str
    title: str
    window_number: int | None
    party_member: bool
    certified_on: dt.date | None
    phone: str = Field(description="Masked, e.g. 138****5678.")
    on_duty: bool
    active: bool

    @staticmethod
    def resolve_window_number(obj):
        return obj.window.number if obj.window_id else None

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class StaffIn(Schema):
    name: Text(Staff, "name")
    badge_no: Text(Staff, "badge_no")
    role: Role
    title: Text(Staff, "title") = ""
    window_number: SmallNumber | None = None
    party_member: bool = False
    certified_on: dt.date | None = None
    phone: Text(Staff, "phone") = ""
    on_duty: bool = False
    active: bool = True


class StaffPatch(Schema):
    name: Text(Staff, "name") | None = None
    role: Role | None = None
    title: Text(Staff, "title") | None = None
    window_number: SmallNumber | None = None
    party_member: bool | None = None
    certified_on: dt.date | None = None
    phone: Text(Staff, "phone") | None = None
    on_duty: bool | None = None
    active: bool | None = None


class FindingOut(Schema):
    code: str
    message: str
    rule: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    sector: str = Field(description="sector code")
    authority: str | None = None
    address: str
    supervision_phone: str
    registered_population: int | None

    @staticmethod
    def resolve_sector(obj):
        return obj.sector.code

    @staticmethod
    def resolve_authority(obj):
        return obj.authority.name if obj.authority_id else None


class UnitDetail(UnitOut):
    windows: list[WindowOut]
    findings: list[FindingOut]

    @staticmethod
    def resolve_windows(obj):
        return list(obj.windows.all())

    @staticmethod
    def resolve_findings(obj):
        return [f.__dict__ for f in services.staffing_findings(obj)]


class CustodyIn(Schema):
    item: Text(Custody, "item") = Field(description="seal, blank_certificates or fee_money")
    holder_id: DbId


class CustodyOut(Schema):
    item: str
    holder_id: int
    holder_name: str = Field(alias="holder.name")


class AuthorizeIn(Schema):
    action: Short(60)
    unit_id: DbId | None = None


class MeOut(Schema):
    username: str
    role: str
    name: str
    unit_id: int | None
    actions: list[str]


def _actor(request):
    return actor_for(request.auth if request.auth is not None else request.user)


@router.get("/me", response=MeOut, tags=["permissions"])
def me(request):
    actor = _actor(request)
    return {
        "username": actor.user.get_username(),
        "role": actor.role,
        "name": actor.name,
        "unit_id": actor.staff.unit_id if actor.staff else None,
        "actions": [a.value for a in Action if actor.allows(a)],
    }


@router.get("/permissions", tags=["permissions"])
def permissions(request):
    """The role × action matrix that the services enforce."""
    return [
        {"action": a.value, "label": str(a.label), "roles": roles} for a, roles in matrix_rows()
    ]


@router.post("/authorize", tags=["permissions"], response={200: dict, 403: dict})
def authorize(request, payload: AuthorizeIn):
    """Ask whether the caller may do an action (in a unit): 200 if so, 403 with the reason."""
    if payload.action not in Action.values:
        detail = gettext("Unknown action: %(action)s.") % {"action": payload.action}
        return Status(403, {"detail": detail, "rule": None})
    unit = get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id else None
    require(_actor(request), payload.action, unit=unit)
    return Status(200, {"allowed": True})


@router.get("/sectors", response=list[SectorOut])
def sectors(request):
    return Sector.objects.all()


@router.get("/units", response=list[UnitOut])
def units(request):
    actor = _actor(request)
    require(actor, Action.VIEW_REGISTRY)
    return services.units_for(actor)


def _unit(request, unit_id, action=Action.VIEW_REGISTRY):
    actor = _actor(request)
    unit = get_object_or_404(Unit.objects.select_related("sector", "authority"), pk=unit_id)
    require(actor, action, unit=unit)
    return actor, unit


@router.get("/units/{unit_id}", response=UnitDetail)
def unit(request, unit_id: int):
    return _unit(request, unit_id)[1]


@router.get("/units/{unit_id}/staffing-checks", response=list[FindingOut])
def staffing_checks(request, unit_id: int):
    _, unit = _unit(request, unit_id)
    return [f.__dict__ for f in services.staffing_findings(unit)]


@router.get("/units/{unit_id}/windows", response=list[WindowOut])
def windows(request, unit_id: int):
    _, unit = _unit(request, unit_id)
    return unit.windows.all()


@router.post("/units/{unit_id}/windows", response={201: WindowOut})
def create_window(request, unit_id: int, payload: WindowIn):
    actor, unit = _unit(request, unit_id)
    window = Window(unit=unit, **payload.dict())
    return Status(201, services.save_record(actor=actor, instance=window))


@router.patch("/windows/{window_id}", response=WindowOut)
def update_window(request, window_id: int, payload: WindowPatch):
    window = get_object_or_404(Window, pk=window_id)
    for key, value in payload.dict(exclude_unset=True).items():
        setattr(window, key, value)
    return services.save_record(actor=_actor(request), instance=window)


@router.delete("/windows/{window_id}", response={204: None})
def delete_window(request, window_id: int):
    services.delete_record(actor=_actor(request), instance=get_object_or_404(Window, pk=window_id))
    return Status(204, None)


@router.get("/units/{unit_id}/staff", response=list[StaffOut])
def staff(request, unit_id: int):
    _, unit = _unit(request, unit_id)
    return unit.staff.select_related("window").order_by("badge_no")


def _apply_staff(staff, data):
    number = data.pop("window_number", "unset")
    for key, value in data.items():
        setattr(staff, key, value)
    if number != "unset":
        staff.window = (
            Window.objects.filter(unit_id=staff.unit_id, number=number).first()
            if number is not None
            else None
        )
        if number is not None and staff.window is None:
            from django.utils.translation import gettext as _

            from servicehall.core.errors import InvalidInput

            raise InvalidInput(
                {"window_number": [_("This unit has no window %(n)s.") % {"n": number}]}
            )
    return staff


@router.post("/units/{unit_id}/staff", response={201: StaffOut})
def create_staff(request, unit_id: int, payload: StaffIn):
    actor, unit = _unit(request, unit_id)
    staff = _apply_staff(Staff(unit=unit), payload.dict())
    return Status(201, services.save_record(actor=actor, instance=staff))


@router.patch("/staff/{staff_id}", response=StaffOut)
def update_staff(request, staff_id: int, payload: StaffPatch):
    actor = _actor(request)
    staff = get_object_or_404(Staff, pk=staff_id)
    require(actor, Action.MANAGE_REGISTRY, unit=staff.unit)  # before saying what is wrong
    staff = _apply_staff(staff, payload.dict(exclude_unset=True))
    return services.save_record(actor=actor, instance=staff)


@router.delete("/staff/{staff_id}", response={204: None})
def delete_staff(request, staff_id: int):
    services.delete_record(actor=_actor(request), instance=get_object_or_404(Staff, pk=staff_id))
    return Status(204, None)


@router.post("/units/{unit_id}/custody", response=CustodyOut)
def assign_custody(request, unit_id: int, payload: CustodyIn):
    """Name who keeps the seal, blank certificates or fee money; auxiliaries never (R-ORG-4)."""
    actor, unit = _unit(request, unit_id)
    holder = get_object_or_404(Staff, pk=payload.holder_id)
    return services.assign_custody(actor=actor, unit=unit, item=payload.item, holder=holder)
