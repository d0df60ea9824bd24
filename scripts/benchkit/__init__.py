"""The benchmark of ``make bench``, one job per module.

* :mod:`.generate` writes the deterministic synthetic workbooks and records
  the findings each planted mistake must produce;
* :mod:`.oracle` compares those with the rows of ``discrepancies.csv``;
* :mod:`.measure` runs a command in a fresh subprocess: wall time, peak memory;
* :mod:`.floor` times calamine reading the same files: the read floor;
* :mod:`.report` turns the measurements into the table, the targets and JSON.

``scripts/bench.py`` is the command that sequences them.
"""
