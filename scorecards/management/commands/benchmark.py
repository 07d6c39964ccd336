"""benchmark [--quick] [--database-url URL] [--output bench/results.md] [--seed N]"""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand

from bench import inside, runner


class Command(BaseCommand):
    help = (
        "Generate a national synthetic data set into a PostgreSQL database of its own (scorecards_bench on "
        "127.0.0.1, created and dropped here) and measure the scorecard, comparison, import, board pack and "
        "browsing load against their budgets; print the table and write bench/results.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick", action="store_true", help="a smaller data set; the whole run under a minute"
        )
        parser.add_argument(
            "--database-url",
            help="an existing empty database instead of scorecards_bench (SQLite only with --quick)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            help=f"the report (default {runner.DEFAULT_OUTPUT}; with --quick {runner.QUICK_OUTPUT})",
        )
        parser.add_argument(
            "--seed", type=int, default=runner.DEFAULT_SEED, help="the data set's random seed"
        )
        parser.add_argument("--keep-database", action="store_true", help="keep scorecards_bench afterwards")
        parser.add_argument(
            "--reuse-database",
            action="store_true",
            help="use a scorecards_bench kept earlier with the same seed and size instead of generating again",
        )
        # The measuring process, started by the command itself against the benchmark database.
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--results-json", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--skip-generate", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--require-empty", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["inside"]:
            inside.run(
                quick=options["quick"],
                seed=options["seed"],
                generate_data=not options["skip_generate"],
                require_empty=options["require_empty"],
                workdir=options["workdir"],
                results=options["results_json"],
            )
            return
        runner.benchmark(
            quick=options["quick"],
            database_url=options["database_url"],
            output=options["output"],
            seed=options["seed"],
            keep_database=options["keep_database"],
            reuse_database=options["reuse_database"],
            write=self.stdout.write,
        )
