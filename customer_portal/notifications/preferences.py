"""Who hears about what: each portal user's choice per event type, else the admins' defaults."""

from dataclasses import dataclass

import frappe
from frappe import _

from customer_portal.notifications.catalogue import EVENT_TYPES

EMAIL_MODES = ("Immediately", "Daily", "Weekly", "Off")
FALLBACK = ("Immediately", 1)


@dataclass(frozen=True)
class Preference:
	email: str
	in_portal: bool


def defaults() -> dict[str, Preference]:
	"""The admins' defaults per event type (Customer Portal Settings), immediately and in portal otherwise."""
	rows = frappe.get_all(
		"Portal Notification Default",
		filters={"parent": "Customer Portal Settings", "parenttype": "Customer Portal Settings"},
		fields=["event_type", "email", "in_portal"],
	)
	chosen = {row.event_type: Preference(row.email or FALLBACK[0], bool(row.in_portal)) for row in rows}
	return {event_type: chosen.get(event_type, Preference(*FALLBACK)) for event_type in EVENT_TYPES}


def preferences_for(users: list[str], event_type: str) -> dict[str, Preference]:
	"""Each user's effective preference for one event type (one query for all of them)."""
	if not users:
		return {}
	default = defaults()[event_type]
	rows = frappe.get_all(
		"Portal Notification Preference",
		filters={"user": ("in", users), "event_type": event_type},
		fields=["user", "email", "in_portal"],
	)
	chosen = {row.user: Preference(row.email, bool(row.in_portal)) for row in rows}
	return {user: chosen.get(user, default) for user in users}


def user_preferences(user: str) -> dict[str, Preference]:
	"""All of one user's effective preferences, by event type."""
	effective = defaults()
	for row in frappe.get_all(
		"Portal Notification Preference", filters={"user": user}, fields=["event_type", "email", "in_portal"]
	):
		effective[row.event_type] = Preference(row.email, bool(row.in_portal))
	return effective


def set_preferences(user: str, changes: dict[str, Preference]) -> dict:
	"""Store `user`'s choices; returns {event_type: [before, after]} for what changed. Raises on bad
	input before changing anything."""
	for event_type, preference in changes.items():
		if event_type not in EVENT_TYPES:
			frappe.throw(
				_("Unknown notification type {0}.").format(event_type), title=_("Invalid Preference")
			)
		if preference.email not in EMAIL_MODES:
			frappe.throw(
				_("Email must be one of: {0}.").format(", ".join(_(mode) for mode in EMAIL_MODES)),
				title=_("Invalid Preference"),
			)
	current = user_preferences(user)
	stored = {
		row.event_type: row.name
		for row in frappe.get_all(
			"Portal Notification Preference", filters={"user": user}, fields=["name", "event_type"]
		)
	}
	changed = {}
	for event_type, preference in changes.items():
		if current[event_type] == preference:
			continue
		changed[event_type] = [_describe(current[event_type]), _describe(preference)]
		values = {"email": preference.email, "in_portal": int(preference.in_portal)}
		if event_type in stored:
			frappe.db.set_value("Portal Notification Preference", stored[event_type], values)
		else:
			frappe.get_doc(
				{
					"doctype": "Portal Notification Preference",
					"user": user,
					"event_type": event_type,
					**values,
				}
			).insert(ignore_permissions=True)
	return changed


def _describe(preference: Preference) -> dict:
	return {"email": preference.email, "in_portal": preference.in_portal}
