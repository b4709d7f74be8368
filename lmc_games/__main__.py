"""``python -m lmc_games``: the same as the ``lmc-games`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
