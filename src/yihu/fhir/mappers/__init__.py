"""Pure functions from domain rows to validated FHIR R4 resources, one module per resource."""
