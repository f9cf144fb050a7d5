"""``python -m bot.cli``: the ``chatops`` command."""

import sys

from bot.cli import main

sys.exit(main())
