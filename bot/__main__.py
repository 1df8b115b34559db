"""`python -m bot` does what the `buurtbot` command does."""

import sys

from bot.cli import main

sys.exit(main())
