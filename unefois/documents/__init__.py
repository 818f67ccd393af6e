"""The documents the platform produces (payslip, end-of-contract documents, yearly summary), as
HTML and PDF.

Pure rendering: every function of ``render`` takes one plain dataclass of ``data`` (never a
model) and returns French text, so that any part of the platform can call it.
"""
