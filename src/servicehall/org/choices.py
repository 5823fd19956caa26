"""Enumerations of the organization registry (names from the glossary in domain.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ORGANIZER = "organizer", _("Organizing office")
    AUTHORITY = "authority", _("Sector authority")


class UnitKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    SERVICE_CENTRE = "service_centre", _("Administrative service centre")
    TRAFFIC_POLICE = "traffic_police", _("Traffic police vehicle office")
    POLICE_STATION = "police_station", _("Police station household registration")
    HOTLINE = "hotline", _("Hotline centre")
    EXIT_ENTRY = "exit_entry", _("Exit-entry administration")
    TAX_HALL = "tax_hall", _("Tax service hall")
    LABOUR_OFFICE = "labour_office", _("Labour and social security office")
    OTHER = "other", _("Other window unit")


class WindowKind(models.TextChoices):
    GENERAL = "general", _("General service")
    HOUSEHOLD = "household", _("Household registration")
    EXIT_ENTRY = "exit_entry", _("Exit-entry")
    VEHICLE = "vehicle", _("Vehicles and driving licences")
    VIOLATION = "violation", _("Traffic violations")
    HOTLINE = "hotline", _("Hotline seat")
    TAX = "tax", _("Tax")
    INVOICE = "invoice", _("Invoices")
    REGISTRATION = "registration", _("Outpatient registration")
    CASHIER = "cashier", _("Cashier")
    PHARMACY = "pharmacy", _("Pharmacy")
    LABOUR = "labour", _("Labour and social security")
    CONSULTATION = "consultation", _("Enquiries")


class Role(models.TextChoices):
    """Who a person is to the system (R-ORG-4). CITIZEN is the anonymous kiosk or web user."""

    ORGANIZER_ADMIN = "organizer_admin", _("Organizer administrator")
    SECTOR_REVIEWER = "sector_reviewer", _("Sector reviewer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    DUTY_LEAD = "duty_lead", _("Duty lead")
    OFFICER = "officer", _("Window officer")
    AUXILIARY = "auxiliary", _("Auxiliary")
    INSPECTOR = "inspector", _("Inspector")
    SURVEYOR = "surveyor", _("Surveyor")
    CITIZEN = "citizen", _("Citizen")


# Roles that belong to an organization (the office or a sector authority) rather than a unit.
ORGANIZATION_ROLES = frozenset({Role.ORGANIZER_ADMIN, Role.SECTOR_REVIEWER, Role.SURVEYOR})
# Roles that may sit in either: inspectors come from the office or from an authority.
EITHER_ROLES = frozenset({Role.INSPECTOR})
UNIT_ROLES = frozenset({Role.UNIT_LEADER, Role.DUTY_LEAD, Role.OFFICER, Role.AUXILIARY})


class CustodyItem(models.TextChoices):
    """Things an auxiliary may never keep (R-ORG-4)."""

    SEAL = "seal", _("Household registration seal")
    BLANK_CERTIFICATES = "blank_certificates", _("Blank certificates and migration permits")
    FEE_MONEY = "fee_money", _("Certificate fee money")


class LeadershipPosition(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    MEMBER = "member", _("Member")
    LIAISON = "liaison", _("Liaison")
