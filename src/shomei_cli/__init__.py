"""shomei: online issuance of trade certificates for a chamber of commerce's certificate center."""

__version__ = "0.1.0"
