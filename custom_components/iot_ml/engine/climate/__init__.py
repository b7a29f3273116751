"""climate."""
