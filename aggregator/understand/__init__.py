"""Understand: taxonomy, matching, classification, contacts, repeats (dedupe) and incidents."""
