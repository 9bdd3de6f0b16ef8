"""Reusable widgets and cell renderers: each gets the values it shows, never a database."""
