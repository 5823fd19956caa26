import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from servicehall.org.choices import Role
from servicehall.org.models import Organization, Staff, Unit


class Command(BaseCommand):
    help = "Create (or reset the password of) a login, optionally linked to a staff record."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Prompted for when omitted.")
        parser.add_argument("--superuser", action="store_true", help="May use the admin site.")
        parser.add_argument("--role", choices=[r.value for r in Role if r != Role.CITIZEN])
        parser.add_argument("--unit", help="Unit code, for unit roles.")
        parser.add_argument("--organization", help="Organization name, for office roles.")
        parser.add_argument("--name", help="Person's name (for a new staff record).")
        parser.add_argument("--badge", help="Badge number (for a new staff record).")

    @transaction.atomic
    def handle(
        self, *args, username, password, superuser, role, unit, organization, name, badge, **o
    ):
        password = password or getpass.getpass(f"Password for {username}: ")
        if len(password) < 8:
            raise CommandError("The password needs at least 8 characters.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = user.is_staff or superuser
        user.is_superuser = user.is_superuser or superuser
        user.save()
        if role:
            place = {}
            if unit:
                place["unit"] = Unit.objects.filter(code=unit).first()
                if place["unit"] is None:
                    raise CommandError(f"No unit with code {unit}.")
            if organization:
                place["organization"] = Organization.objects.filter(name=organization).first()
                if place["organization"] is None:
                    raise CommandError(f"No organization named {organization}.")
            staff = getattr(user, "staff", None) or Staff(user=user, **place)
            staff.role = role
            staff.name = name or staff.name or username
            staff.badge_no = badge or staff.badge_no or username
            staff.full_clean()
            staff.save()
        self.stdout.write(f"{'Created' if created else 'Updated'} {username}.")
