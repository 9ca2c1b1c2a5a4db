"""An order's journey through the configured stages, as the customer sees it."""

from customer_portal.customer_portal.doctype.order_stage.order_stage import get_stages


def stage_timeline(order) -> list[dict]:
	"""Every configured stage in sequence: done (with when it was reached), current, or upcoming;
	an order at a final stage is complete."""
	reached_on = {}
	for row in order.stage_history:
		reached_on[row.stage] = row.reached_on  # the latest time wins if a stage was reached twice
	stages = get_stages()
	current = next((stage.sequence for stage in stages if stage.name == order.stage), None)
	timeline = []
	for stage in stages:
		if stage.retired and stage.name != order.stage and stage.name not in reached_on:
			continue  # a retired stage is no step of this order's way
		if stage.name == order.stage:
			state = "complete" if stage.is_final else "current"
		elif current is not None and stage.sequence < current:
			state = "done"
		else:
			state = "upcoming"
		timeline.append(
			{
				"stage": stage.name,
				"text": stage.customer_text,
				"state": state,
				"reached_on": reached_on.get(stage.name) if state != "upcoming" else None,
				"is_final": stage.is_final,
			}
		)
	return timeline
