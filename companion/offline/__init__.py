"""The installable, offline app: web app manifest, service worker, offline copy of the programme."""
