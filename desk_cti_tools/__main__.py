"""`python -m desk_cti_tools` is `desk-cti`."""

import sys

from .cli import main

sys.exit(main())
