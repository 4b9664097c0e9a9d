"""Personal information protection (个人信息保护法, PIPL): notice, consents, retention, a member's
own data and deletion, the audit log's floor."""
