"""集结号: the district or a street calls the members living in a control area to report."""
