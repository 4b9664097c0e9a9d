"""Review: participation figures by member, community, street, unit and branch."""
