"""Data that fills a database: the demo district (``demo``) and the district-scale generator
(``generate``), behind ``volunteer demo`` and ``volunteer generate-district``."""
