"""Pure business rules: no I/O, no SQL, no CLI. Everything else depends on this, never the reverse."""
