import frappe
from frappe.model.workflow import WorkflowPermissionError, apply_workflow
from frappe.tests.utils import FrappeTestCase

from customer_portal.orders import workflow
from customer_portal.permissions import PORTAL_ROLE, STAFF_ROLE
from customer_portal.tests.fixtures import make_customer, make_order, make_stages, make_user

WORKFLOW = "Order Unit Flow"
APPROVE, START, FINISH = "Approve Artwork", "Start Production", "Finish"


def make_workflow(stages: list[str]) -> None:
	for state in stages:
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": state}).insert()
	for action in (APPROVE, START, FINISH):
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert()
	received, production, delivered = stages
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW,
			"document_type": "Order",
			"workflow_state_field": "stage",
			"is_active": 1,
			"send_email_alert": 0,
			"states": [
				{"state": state, "doc_status": "0", "allow_edit": STAFF_ROLE}
				for state in (received, production, delivered)
			],
			"transitions": [
				# the customer approves the artwork, which starts production; staff may also start it
				{"state": received, "action": APPROVE, "next_state": production, "allowed": PORTAL_ROLE},
				{"state": received, "action": START, "next_state": production, "allowed": STAFF_ROLE},
				{"state": production, "action": FINISH, "next_state": delivered, "allowed": STAFF_ROLE},
			],
		}
	).insert()


class TestOrderWorkflow(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stages = make_stages("Workflow Test")
		cls.user = make_user("workflow-user@example.com")
		cls.other_user = make_user("workflow-other@example.com")
		cls.staff = make_user("workflow-staff@example.com")
		frappe.get_doc("User", cls.staff).add_roles(STAFF_ROLE)
		cls.customer = make_customer("Workflow Co", {cls.user: "Member"})
		cls.other = make_customer("Workflow Other Co", {cls.other_user: "Member"})
		make_workflow(cls.stages)

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.delete_doc("Workflow", WORKFLOW, force=True)
		frappe.cache.hdel("workflow", "Order")
		frappe.clear_cache(doctype="Order")
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")

	def new_order(self) -> str:
		return make_order(self.customer, "Artwork order", stage=self.stages[0])

	def test_a_customer_takes_the_action_the_workflow_gives_their_role(self):
		order = self.new_order()
		frappe.set_user(self.user)
		self.assertEqual(workflow.customer_actions(frappe.get_doc("Order", order)), [APPROVE])
		doc = workflow.apply_action(order, APPROVE)
		self.assertEqual(doc.stage, self.stages[1])
		history = [(row.stage, row.reached_by) for row in doc.stage_history]
		self.assertEqual(history[-1], (self.stages[1], self.user))
		frappe.set_user("Administrator")
		self.assertTrue(
			frappe.db.exists("Portal Activity", {"action": "Order Action", "reference_name": order})
		)
		self.assertTrue(frappe.db.exists("Comment", {"comment_type": "Workflow", "reference_name": order}))

	def test_a_transition_for_another_role_is_refused(self):
		order = self.new_order()
		frappe.set_user(self.user)
		for action in (START, FINISH, "Anything"):
			with self.subTest(action):
				self.assertRaises(frappe.PermissionError, workflow.apply_action, order, action)
		self.assertEqual(frappe.db.get_value("Order", order, "stage"), self.stages[0])
		# staff move it on with their own transitions; the customer then has nothing left to do
		frappe.set_user(self.staff)
		apply_workflow(frappe.get_doc("Order", order), START)
		frappe.set_user(self.user)
		self.assertEqual(workflow.customer_actions(frappe.get_doc("Order", order)), [])
		self.assertRaises(frappe.PermissionError, workflow.apply_action, order, FINISH)

	def test_no_way_around_the_endpoint_or_the_workflow(self):
		order = self.new_order()
		frappe.set_user(self.other_user)
		self.assertRaises(frappe.DoesNotExistError, workflow.apply_action, order, APPROVE)
		frappe.set_user(self.user)
		doc = frappe.get_doc("Order", order)
		doc.stage = self.stages[1]
		self.assertRaises(frappe.PermissionError, doc.save)  # a REST save: no write window
		# staff cannot skip a stage the workflow has no transition for
		frappe.set_user(self.staff)
		doc = frappe.get_doc("Order", order)
		doc.stage = self.stages[2]
		self.assertRaises(WorkflowPermissionError, doc.save)

	def test_states_must_be_order_stages(self):
		doc = frappe.get_doc("Workflow", WORKFLOW)
		doc.append("states", {"state": "Approved", "doc_status": "0", "allow_edit": STAFF_ROLE})
		if not frappe.db.exists("Workflow State", "Approved"):
			frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": "Approved"}).insert()
		self.assertRaisesRegex(frappe.ValidationError, "not Order Stages", doc.save)
