"""The organiser's pages: the conference, tracks and hosts, rooms and floors, roles, audit log."""
