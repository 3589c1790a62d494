"""Understand: taxonomy, classification, repeats (dedupe) and incidents."""
