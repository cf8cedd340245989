"""Private parts of ``statlib.tables``: the spec, the laid-out grid and one module per rendering."""
