"""Imported by the fork server of the analysis workers (see :func:`prepare`): importing
this module loads the language model and the analysis code, so that every worker started
from the server has them from its first entry, instead of loading the model (about four
seconds) each in turn."""

from aggregator.understand import language, stage

language.available()  # loads the model, once, in the fork server
__all__ = ["stage"]
