"""`python -m emulator`: the command line."""

from emulator.cli import main

raise SystemExit(main())
