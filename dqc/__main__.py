"""``python -m dqc`` runs the command line."""

import sys

from dqc.cli import main

sys.exit(main())
