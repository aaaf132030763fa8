"""Error codes of the FHIR API; rendered as OperationOutcome by the app's handlers."""

from __future__ import annotations

from yihu.errors import code

UNKNOWN_TYPE = code("fhir.unknown_type", 404, "本服务器不提供 {resource_type} 类型的资源。",
                    "This server does not serve resources of type {resource_type}.")
INVALID_PARAM = code("fhir.invalid_param", 400, "搜索参数 {param} 的值无效。", "The value of search parameter {param} is invalid.")
UNSUPPORTED_PARAM = code("fhir.unsupported_param", 400, "本服务器不支持搜索参数 {param}（请求带有 Prefer: handling=strict）。",
                         "This server does not support the search parameter {param} (the request asked for "
                         "Prefer: handling=strict).")
UNKNOWN_MODIFIER = code("fhir.unknown_modifier", 400, "搜索参数 {param} 不支持修饰符 {modifier}。",
                        "Search parameter {param} does not support the modifier {modifier}.")
UNSUPPORTED_FORMAT = code("fhir.unsupported_format", 415, "请求体仅支持 JSON 格式（application/fhir+json）。",
                          "A request body must be JSON (application/fhir+json).")
NOT_ACCEPTABLE = code("fhir.not_acceptable", 406, "本服务器仅以 JSON 格式（application/fhir+json）应答。",
                      "This server answers in JSON only (application/fhir+json).")
BAD_SEARCH_BODY = code("fhir.bad_search_body", 400, "_search 的请求体须为 application/x-www-form-urlencoded 表单。",
                       "The body of _search must be an application/x-www-form-urlencoded form.")
NOT_SUPPORTED = code("fhir.interaction_not_supported", 405, "{resource_type} 类型不支持该操作。",
                     "This interaction is not supported for {resource_type}.")
INVALID_JSON = code("fhir.invalid_json", 400, "请求体须为 JSON 格式的 FHIR 资源（不超过64KB）。",
                    "The body must be a FHIR resource in JSON (at most 64 KB).")
WRONG_TYPE = code("fhir.wrong_resource_type", 400, "请求体的 resourceType 应为 {resource_type}。",
                  "The body's resourceType must be {resource_type}.")
INVALID_RESOURCE = code("fhir.invalid_resource", 400, "请求体不是有效的 FHIR R4 {resource_type} 资源：{elements}。",
                        "The body is not a valid FHIR R4 {resource_type}: {elements}.")
MISSING_ELEMENT = code("fhir.missing_element", 400, "缺少或无法识别 {element}。",
                       "{element} is missing or not understood.")
INVALID_ELEMENT = code("fhir.invalid_element", 400, "{element} 的值不被接受：{expected}。",
                       "The value of {element} is not accepted: {expected}.")
