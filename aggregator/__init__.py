"""Veille tiers payant: a watch service for French community pharmacists."""

__version__ = "0.1.0"
