"""The registry's face to other domains: they import this module only."""

from __future__ import annotations

from yihu.registry.cards import BindRequest, bind, card_view, list_for, unbind
from yihu.registry.directory import (
    InstitutionInput,
    PractitionerInput,
    add_credential,
    create_department,
    create_institution,
    create_practitioner,
    create_room,
    credential_valid_on,
    credentials_of,
    departments,
    departments_by_code,
    get_department,
    get_group,
    get_institution,
    get_practitioner,
    get_role,
    get_room,
    groups,
    list_institutions,
    list_practitioners,
    list_roles,
    roles_of,
    rooms,
    set_suspension,
    years_of_practice,
)
from yihu.registry.idcard import IdentityNumber, normalize_name, normalize_phone, parse
from yihu.registry.patients import (
    PatientView,
    bound_patient_ids,
    card_holder_account_ids,
    find_by_id_number,
    get_or_create,
    id_number_of,
    link,
    name_of,
    names_of,
    phone_of,
    search,
    set_phone,
    view,
)
from yihu.registry.patients import bound_to_account as patients_bound_to
from yihu.registry.patients import get as get_patient
from yihu.registry.patients import ids_bound_to_account as patient_ids_bound_to
from yihu.registry.patients import is_linked as patient_is_linked
from yihu.registry.patients import linked_to_institution as patients_of_institution

__all__ = [
    "BindRequest", "IdentityNumber", "InstitutionInput", "PatientView", "PractitionerInput", "add_credential", "bind",
    "bound_patient_ids", "card_view", "create_department", "create_institution", "create_practitioner", "create_room",
    "card_holder_account_ids", "credential_valid_on", "credentials_of", "departments", "departments_by_code", "find_by_id_number", "get_department", "get_group",
    "get_institution", "get_or_create", "get_patient", "get_practitioner", "get_role", "get_room", "groups", "id_number_of",
    "link", "list_for", "list_institutions", "list_practitioners", "list_roles", "name_of", "names_of", "normalize_name", "normalize_phone",
    "parse", "patient_ids_bound_to", "patient_is_linked", "patients_bound_to", "patients_of_institution", "phone_of", "roles_of", "rooms",
    "search", "set_phone", "set_suspension", "unbind", "view", "years_of_practice",
]
