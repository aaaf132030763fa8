"""Home nursing (互联网+护理服务)."""
