"""``python -m hcl_checker`` runs the ``telnyx-coverage`` CLI."""

from hcl_checker.cli import main

raise SystemExit(main())
