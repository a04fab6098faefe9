"""Moved to `guidebot.criteria.findings` (the router reads findings too, and routing may not import dialogue).

This name stays so that existing imports keep working; it is the very same module object.
"""

import sys

from guidebot.criteria import findings as _findings

sys.modules[__name__] = _findings
