"""The Starshipit connector's declaration. Not available yet: its credentials step works (a real call), but
nothing syncs, so it can't go live (docs/management-api.md "Integration types")."""

from ..core.connectors import Connector

CONNECTOR = Connector(key="starshipit", title="Starshipit",
                      integration_type="integrations.starshipit.integration_type:INTEGRATION_TYPE", available=False)
