"""Tests, one file per module or rule family; workbooks are built in tmp_path."""
