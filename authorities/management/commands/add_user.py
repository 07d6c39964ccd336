"""add_user USERNAME --password P --role ROLE --authority CODE [--authority CODE ...]"""

from django.core.management.base import BaseCommand, CommandError

from authorities.models import Role
from authorities.services import UserError, user_add


class Command(BaseCommand):
    help = "Create or update a user with one role in one or more authorities (by DfE code)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--authority", action="append", required=True, dest="authorities", metavar="CODE")

    def handle(self, *args, username, password, role, authorities, **options):
        try:
            user, created = user_add(
                username=username, password=password, role=role, authority_codes=authorities
            )
        except UserError as error:
            raise CommandError(str(error), returncode=1) from error
        verb = "created" if created else "updated"
        codes = ", ".join(sorted(set(authorities)))
        self.stdout.write(f"{verb} {user.get_username()}: {Role(role).label.lower()} of {codes}")
