"""Each role's home: what it must do now (the to-do list, also GET /api/v1/me/todo), what it is
responsible for this quarter, and a member's own standing."""
