"""The law as code: dated parameters and vectorised formulas for AMA and GED pay.

No Django here. The public functions are in ``api`` (one payslip from a file or data, many
payslips from rows), ``engine.calculate`` (a batch of columns) and ``yearly``.
"""
