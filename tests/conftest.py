"""Test-wide settings.

Property tests run derandomized by default so that CI is reproducible: the same
examples every run. To hunt for new failures locally, run with
``HYPOTHESIS_PROFILE=explore`` (random examples, more of them) and turn each
failure found into a fix plus a fixed example in the test.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
