"""iCalendar export: one session, a track, the whole programme, and a private feed of my stars."""
