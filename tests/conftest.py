"""Test-wide settings.

Property tests run derandomized by default so that CI is reproducible: the same
examples every run. To hunt for new failures locally, run with
``HYPOTHESIS_PROFILE=explore`` (random examples, more of them) and turn each
failure found into a fix plus a fixed example in the test.

The fuzzing harness at the pipeline's edge (tests/test_fuzz_edge.py) runs a whole
``aggregator run`` per example, so it has profiles of its own, chosen by the same
variable: ``fuzz-ci`` (default: a few derandomized examples, about a minute) and
``fuzz-explore`` (with ``HYPOTHESIS_PROFILE=explore``: random, as many as time allows).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A run per example: slow by nature, and its inputs are large on purpose.
_EDGE_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
_EDGE = {"deadline": None, "print_blob": True, "suppress_health_check": _EDGE_CHECKS}
settings.register_profile("fuzz-ci", derandomize=True, max_examples=5, **_EDGE)
settings.register_profile("fuzz-explore", derandomize=False, max_examples=100_000, **_EDGE)
