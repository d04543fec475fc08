"""Helpers the tests share: generated inputs that real files cannot give (lists not published yet)."""
