"""The England-scale benchmark: a synthetic national data set, the measurements, and their report.

``manage.py benchmark`` runs it (see the README's "Performance" section); ``bench/results.md`` keeps the
last full run so that a later change can be compared with it.

- ``runner``: the command's side: a database of its own (``database``), the measuring process, the report.
- ``inside``: the measuring process: migrate, generate, measure, hand the results back as JSON.
- ``dataset``, ``rows``, ``generate``: the data set, the rows of its large tables, writing them (COPY).
- ``import_files``: the ``values`` files the import measurements upload (new, then changed).
- ``measure``: the measurements: ``pages`` in process, ``processes`` (imports, board pack) through ``child``,
  ``load`` (gunicorn and locust, ``locustfile``); ``common`` what they share.
- ``report``, ``analysis``: the table against the budgets, and what is known of each budget missed.
"""
