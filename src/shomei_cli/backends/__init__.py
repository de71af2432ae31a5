"""The one interface the CLI talks to (``base.Backend``) and its two implementations."""
