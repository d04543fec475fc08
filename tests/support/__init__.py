"""Helpers the tests share: warehouses and lists to start from, the lists after them (generated), servers,
workbook edits, tools."""
