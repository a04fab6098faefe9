"""Packaging hook: ship a prebuilt router index in the wheel, so a first `guidebot ask` on a new machine does
not validate the knowledge base and build the index (about 2 s) before answering.

The index is keyed by content (guidebot.routing.cache.content_key); at run time a stale or missing one is
ignored and the index is built as before. Editable installs (a source checkout) ship none: their first `ask`
builds the index into the user's cache.
"""

from __future__ import annotations

import os
import sys
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SeedIndexHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)
        try:
            from guidebot.routing.cache import SEED_FILE, write_seed
        except ImportError as exc:  # guidebot's dependencies are missing from the build environment
            self.app.display_warning(f"no prebuilt router index ({exc}): the first ask will build it")
            return
        target = os.path.join(tempfile.mkdtemp(prefix="guidebot-seed-"), SEED_FILE)
        write_seed(os.path.join(self.root, "knowledge"), target)
        build_data["force_include"][target] = f"guidebot/_knowledge/{SEED_FILE}"
