"""Self-managed integrations: the management API's service, permissions and models, and weekly billing.

The frame (docs/management-api.md) knows no platform; platforms plug in through
``integrations.core.integration_types``. Billing (docs/billing.md) charges every integration live in an ISO week.
"""
