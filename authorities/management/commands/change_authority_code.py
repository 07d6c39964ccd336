"""``manage.py change_authority_code OLD NEW``: a reorganisation gives an authority a new DfE code.

The admin never changes a code (it is read-only there, for superusers too); this command does, and keeps every
old address (``/scorecards/OLD/...``, ``/plans/OLD/...``) redirecting to the new one for those who may see it.
"""

from django.core.management.base import BaseCommand, CommandError

from authorities.services import AuthorityCodeError, authority_code_change


class Command(BaseCommand):
    help = "Change an authority's DfE code from OLD to NEW; addresses with OLD redirect to NEW."

    def add_arguments(self, parser):
        parser.add_argument("old", metavar="OLD", help="the authority's code now, e.g. 909")
        parser.add_argument("new", metavar="NEW", help="its new code, 3 digits")

    def handle(self, *args, old: str, new: str, **options):
        try:
            authority = authority_code_change(old=old, new=new)
        except AuthorityCodeError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(f"{authority.name}: code {old} is now {new}; addresses with {old} redirect")
