"""My schedule: stars, clashes, now & next for me."""
