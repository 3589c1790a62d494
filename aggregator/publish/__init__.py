"""Writing output/: feeds and the static site."""
