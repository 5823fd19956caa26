"""Who may do what: one role × action matrix, enforced in services (R-ORG-4).

Views hide what a role cannot do, but the rule lives here: every service that changes
something calls `require()`, so the web UI, the API, the admin and the command line all
meet the same answer. `docs/permissions.md` is generated from this matrix.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicehall.core.errors import Forbidden

from .choices import OrganizationKind, Role


class Action(models.TextChoices):
    VIEW_PUBLIC = "view_public", _("View public pages")
    TAKE_TICKET = "take_ticket", _("Take a queue ticket")
    RATE_SERVICE = "rate_service", _("Rate a finished service")
    FILE_COMPLAINT = "file_complaint", _("File a complaint or suggestion")
    VIEW_REGISTRY = "view_registry", _("View the organization registry")
    MANAGE_REGISTRY = "manage_registry", _("Edit units, windows, staff and leadership groups")
    IMPORT_REGISTRY = "import_registry", _("Import the registry from Excel")
    EXPORT_REGISTRY = "export_registry", _("Export the registry to Excel")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    ASSIGN_CUSTODY = "assign_custody", _("Assign keepers of seal, certificates and fees")
    ANSWER_QUESTIONS = "answer_questions", _("Answer citizens' questions")
    ENTER_DATA = "enter_data", _("Enter population data")
    FILE_ARCHIVES = "file_archives", _("File archives")
    TAKE_ID_PHOTO = "take_id_photo", _("Take ID card photos")
    CALL_TICKET = "call_ticket", _("Call tickets at a window")
    ACCEPT_CASE = "accept_case", _("Accept a case (registration)")
    ISSUE_CERTIFICATE = "issue_certificate", _("Issue a certificate")
    KEEP_SEAL = "keep_seal", _("Keep and use the seal")
    KEEP_BLANK_CERTIFICATES = "keep_blank_certificates", _("Keep blank certificates")
    HOLD_FEE_MONEY = "hold_fee_money", _("Hold fee money")
    DECIDE_FINE = "decide_fine", _("Record a fine decision")
    CONFIRM_FINE_PAYMENT = "confirm_fine_payment", _("Enter the bank's confirmation of a fine")
    APPROVE_PAUSE = "approve_pause", _("Approve a long window pause")
    APPROVE_EXTENSION = "approve_extension", _("Approve extending a licence's decision limit")
    MANAGE_DUTY_ROTA = "manage_duty_rota", _("Manage the duty rota")
    PAIR_RATING_DEVICE = "pair_rating_device", _("Pair and revoke the windows' rating devices")
    HANDLE_BAD_REVIEW = "handle_bad_review", _("Verify, rectify and answer bad reviews")
    DECIDE_APPEAL = "decide_appeal", _("Decide appeals to set aside a rating")
    AUDIT_RATINGS = "audit_ratings", _("Check ratings for suspicious patterns")
    REGISTER_COMPLAINT = "register_complaint", _("Register complaints and open complaint boxes")
    HANDLE_COMPLAINT = "handle_complaint", _("Investigate and answer complaints")
    CANCEL_VIOLATION = "cancel_violation", _("Cancel violation points given in error")
    TAKE_HOTLINE_CALL = "take_hotline_call", _("Take and log hotline calls")
    RECORD_INSPECTION = "record_inspection", _("Record an inspection")
    VIEW_INSPECTIONS = "view_inspections", _("See published inspections and supervision notices")
    MANAGE_NORMS = "manage_norms", _("Edit, import and export the norm checklists")
    PLAN_INSPECTIONS = "plan_inspections", _("Draw a campaign's inspection plan")
    PUBLISH_INSPECTION = "publish_inspection", _("Publish inspections and issue notices")
    ANSWER_NOTICE = "answer_notice", _("Answer a supervision notice with the measures taken")
    VERIFY_RECTIFICATION = "verify_rectification", _("Verify a unit's rectification")
    PUBLISH_BULLETIN = "publish_bulletin", _("Publish a criticism bulletin")
    SELF_INSPECT = "self_inspect", _("Hold a self-inspection and track its fixes")
    SIGN_OFF_SELF_INSPECTION = "sign_off_self_inspection", _("Sign off a self-inspection")
    CONDUCT_SURVEY = "conduct_survey", _("Conduct a citizen survey")
    REVIEW_NOMINATION = "review_nomination", _("Review nominations of the sector")
    CONFIRM_AWARD = "confirm_award", _("Confirm awards and manage campaigns")
    VIEW_JOBS = "view_jobs", _("See the background jobs' last runs and errors")


A = Action
_PUBLIC = {A.VIEW_PUBLIC}
# What anyone may do at any unit's public pages: no unit scope applies.
UNSCOPED = frozenset({A.VIEW_PUBLIC, A.TAKE_TICKET, A.RATE_SERVICE, A.FILE_COMPLAINT})
_CITIZEN = _PUBLIC | {A.TAKE_TICKET, A.RATE_SERVICE, A.FILE_COMPLAINT}
# R-ORG-4: what an auxiliary may do: answer questions, file archives, enter data, take photos.
_AUXILIARY = _PUBLIC | {
    A.VIEW_REGISTRY,
    A.ANSWER_QUESTIONS,
    A.ENTER_DATA,
    A.FILE_ARCHIVES,
    A.TAKE_ID_PHOTO,
    A.CALL_TICKET,
}
_OFFICER = _AUXILIARY | {
    A.ACCEPT_CASE,
    A.ISSUE_CERTIFICATE,
    A.KEEP_SEAL,
    A.KEEP_BLANK_CERTIFICATES,
    A.HOLD_FEE_MONEY,
    A.DECIDE_FINE,
    A.REGISTER_COMPLAINT,
    A.TAKE_HOTLINE_CALL,
}
_DUTY_LEAD = _OFFICER | {
    A.APPROVE_PAUSE,
    A.MANAGE_DUTY_ROTA,
    A.HANDLE_BAD_REVIEW,
    A.VIEW_INSPECTIONS,
    A.SELF_INSPECT,
}
_UNIT_LEADER = _DUTY_LEAD | {
    A.MANAGE_REGISTRY,
    A.IMPORT_REGISTRY,
    A.EXPORT_REGISTRY,
    A.VIEW_AUDIT,
    A.ASSIGN_CUSTODY,
    A.AUDIT_RATINGS,
    A.HANDLE_COMPLAINT,
    A.PAIR_RATING_DEVICE,
    A.APPROVE_EXTENSION,  # R-LAW-1: the head of the office (本行政机关负责人)
    A.ANSWER_NOTICE,
    A.SIGN_OFF_SELF_INSPECTION,
}
_BACK_OFFICE = _PUBLIC | {A.VIEW_REGISTRY, A.EXPORT_REGISTRY}

MATRIX: dict[str, frozenset[str]] = {
    Role.CITIZEN: frozenset(_CITIZEN),
    Role.AUXILIARY: frozenset(_AUXILIARY),
    Role.OFFICER: frozenset(_OFFICER),
    Role.DUTY_LEAD: frozenset(_DUTY_LEAD),
    Role.UNIT_LEADER: frozenset(_UNIT_LEADER),
    Role.INSPECTOR: frozenset(
        _BACK_OFFICE
        | {A.RECORD_INSPECTION, A.VIEW_INSPECTIONS, A.VERIFY_RECTIFICATION, A.AUDIT_RATINGS}
    ),
    Role.SURVEYOR: frozenset(_BACK_OFFICE | {A.CONDUCT_SURVEY}),
    Role.SECTOR_REVIEWER: frozenset(
        _BACK_OFFICE | {A.REVIEW_NOMINATION, A.VIEW_AUDIT, A.AUDIT_RATINGS, A.VIEW_INSPECTIONS}
    ),
    Role.ORGANIZER_ADMIN: frozenset(
        _BACK_OFFICE
        | {
            A.MANAGE_REGISTRY,
            A.IMPORT_REGISTRY,
            A.VIEW_AUDIT,
            A.ASSIGN_CUSTODY,
            A.RECORD_INSPECTION,
            A.VIEW_INSPECTIONS,
            A.MANAGE_NORMS,
            A.PLAN_INSPECTIONS,
            A.PUBLISH_INSPECTION,
            A.VERIFY_RECTIFICATION,
            A.PUBLISH_BULLETIN,
            A.REVIEW_NOMINATION,
            A.CONFIRM_AWARD,
            A.MANAGE_DUTY_ROTA,
            A.HANDLE_BAD_REVIEW,
            A.DECIDE_APPEAL,
            A.AUDIT_RATINGS,
            A.REGISTER_COMPLAINT,
            A.HANDLE_COMPLAINT,
            # never the unit's own leaders: points it was given are not its to take back
            A.CANCEL_VIOLATION,
            # R-CASE-6 (罚缴分离): a fine is paid at the bank; only the office records the
            # bank's confirmation, never a window role
            A.CONFIRM_FINE_PAYMENT,
            A.VIEW_JOBS,
        }
    ),
}

# The custody actions an item needs from its keeper.
CUSTODY_ACTION = {
    "seal": A.KEEP_SEAL,
    "blank_certificates": A.KEEP_BLANK_CERTIFICATES,
    "fee_money": A.HOLD_FEE_MONEY,
}

# R-ORG-4: the refusals an auxiliary meets, worded as the norm words them.
_AUXILIARY_REFUSALS = {
    A.ACCEPT_CASE: _("An auxiliary may not accept a registration; a certified officer must."),
    A.ISSUE_CERTIFICATE: _("An auxiliary may not issue a certificate; a certified officer must."),
    A.KEEP_SEAL: _("An auxiliary may not keep or use the seal."),
    A.KEEP_BLANK_CERTIFICATES: _("An auxiliary may not keep blank certificates."),
    A.HOLD_FEE_MONEY: _("An auxiliary may not hold fee money."),
    A.DECIDE_FINE: _("An auxiliary may not make a penalty decision; a certified officer must."),
}


@dataclass(frozen=True)
class Actor:
    """The person (or token's user) behind a request, with the role the matrix knows."""

    user: object | None
    staff: object | None
    role: str

    @property
    def role_label(self):
        return Role(self.role).label

    @property
    def name(self):
        if self.staff is not None:
            return self.staff.name
        if self.user is not None:
            return self.user.get_username()
        return str(_("Citizen"))

    def allows(self, action) -> bool:
        return action in MATRIX[self.role]

    def covers_unit(self, unit) -> bool:
        """Whether this actor's scope reaches the unit: office everything, authority its units."""
        if unit is None:
            return True
        staff = self.staff
        if self.role == Role.ORGANIZER_ADMIN and staff is None:
            return True  # a superuser without a staff record acts as the office
        if staff is None:
            return False
        if staff.unit_id is not None:
            return staff.unit_id == unit.pk
        org = staff.organization
        if org.kind == OrganizationKind.ORGANIZER:
            return True
        return unit.authority_id == org.pk or (
            unit.authority_id is None and unit.sector_id == org.sector_id
        )

    def can(self, action, *, unit=None) -> bool:
        return self.allows(action) and (action in UNSCOPED or self.covers_unit(unit))


CITIZEN = Actor(user=None, staff=None, role=Role.CITIZEN)


def actor_for(user) -> Actor:
    """The actor for a Django user: its staff record decides the role."""
    if user is None or not user.is_authenticated:
        return CITIZEN
    staff = getattr(user, "staff", None)
    if staff is not None and staff.active:
        return Actor(user=user, staff=staff, role=staff.role)
    if user.is_superuser:
        return Actor(user=user, staff=None, role=Role.ORGANIZER_ADMIN)
    # An account with no (active) staff record may do no more than a citizen.
    return Actor(user=user, staff=None, role=Role.CITIZEN)


def require(actor: Actor, action, *, unit=None) -> None:
    """Raise Forbidden unless the actor's role and scope allow the action."""
    if not actor.allows(action):
        if actor.role == Role.AUXILIARY and action in _AUXILIARY_REFUSALS:
            raise Forbidden(_AUXILIARY_REFUSALS[action], rule="R-ORG-4")
        raise Forbidden(
            _("The role “%(role)s” may not: %(action)s.")
            % {"role": Role(actor.role).label, "action": Action(action).label},
            rule="R-ORG-4",
        )
    if action not in UNSCOPED and not actor.covers_unit(unit):
        raise Forbidden(
            _("“%(unit)s” is outside your unit or sector.") % {"unit": unit.name}, rule="R-ORG-4"
        )


def require_certified(staff) -> None:
    """R-ORG-3: nobody serves citizens before the training certificate — the one check of every
    serving action: intake, a later visit, a step and the certificate it issues, signing in at a
    window or a hotline seat."""
    if not staff.certified:
        raise Forbidden(
            _("%(name)s has no training certificate yet and cannot serve citizens.")
            % {"name": staff.name},
            rule="R-ORG-3",
        )


def require_staff_may(staff, action) -> None:
    """Raise Forbidden unless this staff member's role allows the action (e.g. keeping the seal)."""
    require(Actor(user=staff.user, staff=staff, role=staff.role), action, unit=staff.unit)


def matrix_rows():
    """(action, {role: allowed}) in display order, for the docs and the help page."""
    return [(action, {role: action in MATRIX[role] for role in Role}) for action in Action]
