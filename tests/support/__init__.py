"""Helpers the tests share: warehouses and lists to start from, servers, workbook edits, tools."""
