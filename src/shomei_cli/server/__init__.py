"""The chamber's HTTP server: FastAPI routes over the same services the local backend runs."""
