"""End-to-end tests: real `shomei serve` processes on PostgreSQL, driven by the real `shomei` command."""
