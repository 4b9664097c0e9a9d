"""服务项目: posting tasks, race-free claiming, waitlists, check-in/out and confirmed hours."""
