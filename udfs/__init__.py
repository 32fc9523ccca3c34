"""Worksheet functions (KOSHT.*); see koshtorys.udfs.functions."""
