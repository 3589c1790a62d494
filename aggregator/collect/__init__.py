"""Collect: polite HTTP fetching, extraction of feeds, lists and article pages."""
