"""``python -m bot.cli``: the ``chatops`` command."""

import sys

from bot.cli import main

if __name__ == "__main__":  # imported by name (a walk over the package's modules), it does nothing
    sys.exit(main())
