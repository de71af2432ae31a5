"""The ``shomei`` command: thin Typer commands that parse, call the backend, and render."""
