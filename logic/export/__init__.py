"""Exports that leave the app: an Excel workbook with live formulas and a board-paper HTML report."""
