"""Figures computed from a council's SSDA903 return (shared/CONTRACT.md, "Figures computed from the SSDA903 return").

Plain Python, no Django: ``reader`` turns the return's tables (a folder or mapping of CSV files, or the XML
return) into rows, refusing files it cannot read with a ``ReturnError``; ``rules`` applies the contract's eight
rules to those rows and gives the figures of every month-end asked for with the data-quality problems met on
the way. Other councils can read these two modules as the statement of how each figure is made.
"""
