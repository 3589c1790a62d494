"""Turning fetched bytes into items: feeds, HTML lists, article pages, dates."""
