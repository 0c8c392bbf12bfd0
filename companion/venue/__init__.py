"""Venue maps: a map per floor (SVG or a raster image) and where each room is on it."""
