from customer_portal.setup.ticket_categories import ensure_ticket_categories


def execute():
	ensure_ticket_categories()
