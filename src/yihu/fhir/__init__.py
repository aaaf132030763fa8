"""HL7 FHIR R4 API: mappers over the same domain tables, errors as OperationOutcome."""
