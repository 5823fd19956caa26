"""The navigation, from one place: every page, who may use it, and where each role starts.

An entry names the action of the permission matrix (org/permissions.py) its page needs and
whether the page works on the reader's own unit; the header, the home page and the login
redirect all read this list, so a page a role may use is always reachable.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicehall.org.choices import Role
from servicehall.org.permissions import Action, Actor

PUBLIC, WORK = "public", "work"


@dataclass(frozen=True)
class Entry:
    name: str  # the URL name
    label: str
    group: str = WORK
    actions: tuple = ()  # any one of them is enough; none: every logged-in reader
    unit: bool = False  # the page works on the reader's own unit
    window: bool = False  # the reader must have a window of their own
    hotline: bool = False  # the unit must have hotline seats
    public: bool = False  # citizens too, without logging in
    admin_site: bool = False  # Django's admin: user.is_staff

    def allowed(self, actor: Actor, context: "Reader") -> bool:
        if not self.public and actor.user is None:
            return False
        if self.admin_site:
            return bool(actor.user is not None and actor.user.is_staff)
        if self.actions and not any(actor.allows(a) for a in self.actions):
            return False
        if self.unit and context.unit_id is None:
            return False
        if self.window and context.window_id is None:
            return False
        return not (self.hotline and not context.has_hotline_seats())

    def url(self, context: "Reader") -> str:
        if self.name in ("org:unit",):
            return reverse(self.name, args=[context.unit_id])
        if self.name == "ratings_published":
            return reverse(self.name, args=[context.unit_code])
        if self.name == "api-docs":
            return "/api/v1/docs"
        return reverse(self.name)


ENTRIES = (
    Entry("guide", _("Service guide"), PUBLIC, public=True),
    Entry("calendar", _("Working days"), PUBLIC, public=True),
    Entry("case_status", _("Case status"), PUBLIC, public=True),
    Entry("complaint_new", _("Complaints and suggestions"), PUBLIC, public=True),
    Entry("complaint_status", _("Complaint status"), PUBLIC, public=True),
    # the window
    Entry("console", _("Window console"), actions=(Action.CALL_TICKET,), unit=True, window=True),
    Entry(
        "hotline:index",
        _("Hotline calls"),
        actions=(Action.TAKE_HOTLINE_CALL,),
        unit=True,
        hotline=True,
    ),
    Entry("reception", _("Reception desk"), actions=(Action.CALL_TICKET,), unit=True),
    Entry("cases:index", _("Cases"), actions=(Action.VIEW_REGISTRY,), unit=True),
    Entry("cases:ledger", _("Ledger"), actions=(Action.VIEW_REGISTRY,), unit=True),
    # the unit's lead
    Entry("hall", _("Hall console"), actions=(Action.APPROVE_PAUSE,), unit=True),
    Entry("rota", _("Duty rota"), actions=(Action.MANAGE_DUTY_ROTA,), unit=True),
    Entry("reviews", _("Bad reviews"), actions=(Action.HANDLE_BAD_REVIEW,), unit=True),
    Entry("rating_devices", _("Rating devices"), actions=(Action.PAIR_RATING_DEVICE,), unit=True),
    Entry(
        "complaints",
        _("Complaints"),
        actions=(Action.REGISTER_COMPLAINT, Action.HANDLE_COMPLAINT),
    ),
    Entry(
        "complaint_register",
        _("Register a complaint"),
        actions=(Action.REGISTER_COMPLAINT,),
        unit=True,
    ),
    Entry(
        "complaint_openings",
        _("Box and book openings"),
        actions=(Action.REGISTER_COMPLAINT,),
        unit=True,
    ),
    Entry("ratings_published", _("Our ratings"), unit=True),
    # supervision (R-SUP)
    Entry("supervision:inspections", _("Inspections"), actions=(Action.VIEW_INSPECTIONS,)),
    Entry("supervision:visit", _("Inspection form"), actions=(Action.RECORD_INSPECTION,)),
    Entry(
        "violation_ledger",
        _("Violation points"),
        actions=(Action.HANDLE_COMPLAINT, Action.VIEW_INSPECTIONS),
    ),
    Entry("supervision:notices", _("Supervision notices"), actions=(Action.VIEW_INSPECTIONS,)),
    # a published bulletin is read by every staff login (drafts by the office only)
    Entry("supervision:bulletins", _("Criticism bulletins")),
    Entry("supervision:norms", _("Norms"), actions=(Action.VIEW_INSPECTIONS,)),
    Entry("supervision:self", _("Self-inspection"), actions=(Action.SELF_INSPECT,), unit=True),
    Entry("supervision:plans", _("Inspection plans"), actions=(Action.PLAN_INSPECTIONS,)),
    Entry("supervision:agreement", _("Inspectors' agreement"), actions=(Action.RECORD_INSPECTION,)),
    # the office and the back office
    Entry("appeals", _("Appeals against ratings"), actions=(Action.DECIDE_APPEAL,)),
    Entry("rating_patterns", _("Suspicious rating patterns"), actions=(Action.AUDIT_RATINGS,)),
    Entry("org:unit", _("My unit"), actions=(Action.VIEW_REGISTRY,), unit=True),
    Entry("org:tree", _("Organization"), actions=(Action.VIEW_REGISTRY,)),
    Entry("audit", _("Audit trail"), actions=(Action.VIEW_AUDIT,)),
    Entry("org:import", _("Import"), actions=(Action.IMPORT_REGISTRY,)),
    Entry("job_runs", _("Background jobs"), actions=(Action.VIEW_JOBS,)),
    Entry("permissions", _("Permissions")),
    Entry("api-docs", _("API")),
    Entry("admin:index", _("Admin site"), admin_site=True),
)

# Where each role lands after logging in: what it does first.
START = {
    Role.AUXILIARY: "console",
    Role.OFFICER: "console",
    Role.DUTY_LEAD: "hall",
    Role.UNIT_LEADER: "hall",
    Role.SECTOR_REVIEWER: "org:tree",  # the tree shows the reviewer's sector
    Role.INSPECTOR: "supervision:visit",
    Role.SURVEYOR: "org:tree",
    Role.ORGANIZER_ADMIN: "org:tree",
}


class Reader:
    """What the entries ask of the reader, looked up once per request."""

    def __init__(self, actor: Actor):
        self.actor = actor
        staff = actor.staff
        self.unit_id = staff.unit_id if staff is not None else None
        self.window_id = staff.window_id if staff is not None else None
        self._seats = None

    @property
    def unit_code(self):
        return self.actor.staff.unit.code

    def has_hotline_seats(self) -> bool:
        if self._seats is None:
            from servicehall.org.models import Window

            self._seats = bool(self.unit_id) and (
                Window.objects.filter(unit_id=self.unit_id, kind="hotline", active=True).exists()
            )
        return self._seats


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    group: str
    name: str


def links_for(actor: Actor) -> list[Link]:
    """The navigation of this reader: every page its role may use, in display order."""
    reader = Reader(actor)
    return [
        Link(e.url(reader), e.label, e.group, e.name) for e in ENTRIES if e.allowed(actor, reader)
    ]


def start_page(actor: Actor) -> str:
    """The page a role starts from; a hotline operator's is the call log."""
    if actor.user is None or actor.role not in START:
        return reverse("home")
    entries = {e.name: e for e in ENTRIES}
    reader = Reader(actor)
    hotline = entries["hotline:index"]
    if actor.role == Role.OFFICER and hotline.allowed(actor, reader):
        return hotline.url(reader)
    entry = entries[START[actor.role]]
    if entry.allowed(actor, reader):
        return entry.url(reader)
    return reverse("home")
