"""Rule implementations."""
