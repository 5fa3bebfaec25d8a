"""The agency's settings as the services use them (`domain.agency_settings` over the stored row)."""

from __future__ import annotations

from inspector.domain.agency_settings import AgencyPower, authorities_from, power_kind_of
from inspector.store.models import Agency


def agency_power(agency: Agency) -> AgencyPower:
    """The agency's power settings (an agency from before them follows has_enforcement_power)."""
    return AgencyPower(
        kind=power_kind_of(agency.power_kind, agency.has_enforcement_power),
        own_name=agency.name,
        own_short_name=agency.short_name,
        delegator_name=agency.delegator_name,
        delegator_short_name=agency.delegator_short_name,
        delegator_seal=agency.delegator_seal,
        granted=authorities_from(agency.granted_authorities),
    )
