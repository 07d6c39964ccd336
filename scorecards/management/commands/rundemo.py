"""rundemo: migrate, load the demonstration data, create demo logins, print them and serve the site."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from scorecards.demo import DEMO_PASSWORD, DEMO_USERS, demo_load
from scorecards.demo.extract import DEMO_REFERENCE


class Command(BaseCommand):
    help = "Set up the database with the Dorset November 2020 demonstration and serve the site."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set everything up, then stop")

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        summary = demo_load()
        self.stdout.write(f"demo data: {summary}")
        # DfE's published figures for the comparison and league pages, from the demo's own extract (its
        # README names the sources and the licence), through the command that loads the full files.
        call_command("load_reference_data", DEMO_REFERENCE, verbosity=0, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Sign in at http://{addrport}/ with any of these (password {DEMO_PASSWORD}):")
        for username, role, codes in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role:<14} {', '.join(codes)}")
        self.stdout.write("")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
