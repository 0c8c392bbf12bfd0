"""Conference Companion: a fast, offline-first conference companion web app."""
