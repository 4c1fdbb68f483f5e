"""``python -m bot.cli`` runs the same command line as ``farmdock``."""

import sys

from bot.cli import main

sys.exit(main())
