"""The `servicehall` command: demo, serve, migrate, seed-demo, createuser, createtoken, import,
export, and every Django management command behind them (`servicehall help`)."""

import os
import sys

# Friendly names for the commands people type; anything else goes to Django as is.
ALIASES = {
    "seed-demo": "seed_demo",
    "import": "import_registry",
    "export": "export_registry",
    "verify-permissions-doc": "permissions_doc",
    "verify-ratings": "verify_ratings",
    "seal-ratings": "seal_ratings",
    "verify-ledger": "verify_ledger",
    "verify-inspections": "verify_inspections",
}


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "servicehall"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
