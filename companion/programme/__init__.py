"""The programme: conferences, days, tracks, rooms, floors, speakers and talks (sessions)."""
