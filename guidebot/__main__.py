"""`python -m guidebot` runs the CLI."""

from guidebot.cli import main

raise SystemExit(main())
