"""The three periodic reports: 一月一提醒, 一季一通报, 半年一总结."""
