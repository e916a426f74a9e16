"""Stage 02, the emergency fix: the rendered HTML of a list of safe URLs written to files,
which the web server serves before it calls Django, and removed when the data changes."""
