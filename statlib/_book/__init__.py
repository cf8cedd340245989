"""Pieces of the yearbook assembly (``statlib.book``): model, HTML, PDF, archive."""
