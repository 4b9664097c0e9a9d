"""Accounts a person can recover and keep current: password resets, 换届, phone changes."""
