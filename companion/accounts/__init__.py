"""Users (guest and registered), roles, sign-in, and Flask-Login wiring."""
