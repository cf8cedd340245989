"""What a statlib command or build worker sets before its imports, for a fast start.

jsonschema (nbformat's validator) imports ``rfc3987_syntax`` whenever it is installed (the
``jupyter`` extra pulls it in), and that module compiles some 38 Earley grammars at import:
1–5 s at the start of every command and worker (python-jsonschema/jsonschema#1428). No schema
statlib validates uses the ``iri`` formats it checks, so these processes mark it absent and
jsonschema goes on without it. Imported first by ``statlib.cli`` and ``statlib.batch``; an
analyst's kernel, which imports neither, is left as it is.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
