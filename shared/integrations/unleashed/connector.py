"""The Unleashed connector's declaration. Not available yet: its credentials step works (a real signed call), but
nothing syncs, so it can't go live (docs/management-api.md "Integration types")."""

from ..core.connectors import Connector

CONNECTOR = Connector(key="unleashed", title="Unleashed",
                      integration_type="integrations.unleashed.integration_type:INTEGRATION_TYPE", available=False)
