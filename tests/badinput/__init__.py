"""The bad-input corpus: one row per mistake an officer can make (see cases.py)."""
