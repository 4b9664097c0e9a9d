"""评优 records: the model volunteers a street commended, per period. The review feature
decides and writes them (``review.services``: candidates come from the statistics); the member's
pages, my service and the reports read them from here."""
