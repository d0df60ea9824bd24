"""Rule families, one module each, as the contract names them.

Each module declares its rules against the tables of a whole batch:
pandera models for shape and domain (``structure``, ``passport``,
``time-format``, ``completeness``), comparison tables and Great Expectations
for the sums and averages (``total``, ``share``, ``time-sum``, ``average``),
and turns failing rows into findings pointing at the submitter's cells.
"""
