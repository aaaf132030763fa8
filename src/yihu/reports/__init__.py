"""Lab and exam reports: published by an institution, amended or marked entered-in-error, never deleted."""
