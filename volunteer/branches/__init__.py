"""功能型党组织的党员: a branch's members for its secretary, its community and the district."""
