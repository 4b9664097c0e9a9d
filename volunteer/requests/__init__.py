"""居民点单: residents' requests, 网格接单 → 社区派单 → 党员接单, tracked by a code."""
