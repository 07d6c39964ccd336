"""The England-scale benchmark: a synthetic national data set, the measurements, and their report.

``manage.py benchmark`` runs it (see the README's "Performance" section); ``bench/results.md`` keeps the
last full run so that a later change can be compared with it.
"""
