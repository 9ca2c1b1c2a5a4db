"""Writing one entry of the activity log. Deciding whether an action is recorded, and for which customer,
is the caller's (`activity.log.record`, and the scoping policy for its refusals); this module knows
nothing of the policy."""

import json

from customer_portal.infra.durable import insert_durably, request_origin


def add_entry(
	action: str,
	user: str,
	customer: str | None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	details: dict | None = None,
	refused: bool = False,
) -> None:
	insert_durably(
		{
			"doctype": "Portal Activity",
			"action": action,
			"user": user,
			"customer": customer or "",
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"details": json.dumps(details, sort_keys=True, default=str) if details else None,
			**request_origin(),
		},
		refused=refused,
	)
