"""Cross-feature signals (blinker, as Flask and Indico use them).

The feature that changes the data sends, after its change is flushed into the session; a
feature that keeps derived data receives, in the same transaction. So a lower feature never
imports a higher one to tell it something: members and tasks send, ``stats`` refreshes its
summaries. Receivers are connected by ``create_app`` (``volunteer.connect_receivers``), so the
web, the CLI and the scheduler, which all build the app through it, never miss one.
"""

from blinker import Namespace

_signals = Namespace()

member_moving = _signals.signal("member-moving", doc="""
A member's street, community, grid, unit or branch is about to change (sent before the change,
with ``now``); the sender is the member. The statistics place the member's services already
over where the member still is, so their hours stay where they were earned.
""")
claim_confirmed = _signals.signal("claim-confirmed", doc="""
A claim's service was confirmed or its confirmed hours corrected; the sender is the claim.
""")
claim_no_show = _signals.signal("claim-no-show", doc="""
A claimant was marked a no-show; the sender is the claim.
""")
claim_rated = _signals.signal("claim-rated", doc="""
The served resident's satisfaction with a claim was recorded; the sender is the claim.
""")
member_record = _signals.signal("member-record", doc="""
A member's record (党员档案) is being shown; the sender is the member. Each receiver answers
with a dict of its part (hours, services, ratings …), merged into the record
(``members.record.member_record``): members sit below the features that hold the service.
""")
