"""The URIs of our identifier systems, code systems and extensions, and the FHIR ones we use."""

from __future__ import annotations

FHIR_VERSION = "4.0.1"
BASE = "https://yihu.example.org/fhir"

# Identifier systems
RESIDENT_ID = "urn:oid:2.16.156.10011.1.3"  # 居民身份证号码 (national resident ID number)
INSTITUTION_CODE = f"{BASE}/sid/institution-code"
MEDICAL_GROUP_CODE = f"{BASE}/sid/medical-group-code"
PRACTITIONER_LICENCE = f"{BASE}/sid/practitioner-licence"

# Code systems
ORGANIZATION_KIND = f"{BASE}/CodeSystem/organization-kind"
CLINICAL_SUBJECT = f"{BASE}/CodeSystem/clinical-subject"
PRACTITIONER_TITLE = f"{BASE}/CodeSystem/practitioner-title"
PRACTITIONER_ROLE = f"{BASE}/CodeSystem/practitioner-role"
CREDENTIAL_KIND = f"{BASE}/CodeSystem/credential-kind"
ROOM_KIND = f"{BASE}/CodeSystem/room-kind"
SCHEDULE_KIND = f"{BASE}/CodeSystem/schedule-kind"
SLOT_CLASS = f"{BASE}/CodeSystem/slot-class"
CANCEL_REASON = f"{BASE}/CodeSystem/cancel-reason"
HL7_ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
HL7_LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
HL7_CANCELLATION_REASON = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"

# Extensions
LEAD_INSTITUTION = f"{BASE}/StructureDefinition/lead-institution"
FREE_PLACES = f"{BASE}/StructureDefinition/free-places"
FEE = f"{BASE}/StructureDefinition/fee"
