"""The statistics layer: the summary tables and their refresh and rebuild (``summaries``), the
participation figures (``figures``), the evaluation score (``score``). Dashboards (``review``),
reports, exports and ``/api/v1/stats`` read it; it reads the features' tables and changes none."""
