"""Plans and actions the board holds the service to account for, the board's questions, and its meetings.

``rules`` holds the contract's rules (overdue, RAG at a date, history at a date) in plain Python; the
``plans`` and ``actions`` upload kinds live with the import engine (``scorecards.imports.plan_kinds``);
``selectors`` read a plan as it stood at any date with its evidence from the scorecard; ``services`` write
forms, questions and meetings; ``meetings`` feeds a meeting's board pack; ``exports`` is ``export_plan``.
"""
