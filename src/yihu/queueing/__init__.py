"""Check-in, queue numbers, calling and the live queue (issue 3)."""
