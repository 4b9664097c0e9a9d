"""Running it for real: health and readiness, the scheduler's heartbeat and guard, backups."""
