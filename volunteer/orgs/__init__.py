"""Organisation: streets, communities, grids, units (and their co-building), branches."""
