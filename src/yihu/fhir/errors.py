"""Error codes of the FHIR API; rendered as OperationOutcome by the app's handlers."""

from __future__ import annotations

from yihu.errors import code

UNKNOWN_TYPE = code("fhir.unknown_type", 404, "本服务器不提供 {resource_type} 类型的资源。",
                    "This server does not serve resources of type {resource_type}.")
INVALID_PARAM = code("fhir.invalid_param", 400, "搜索参数 {param} 的值无效。", "The value of search parameter {param} is invalid.")
UNKNOWN_MODIFIER = code("fhir.unknown_modifier", 400, "搜索参数 {param} 不支持修饰符 {modifier}。",
                        "Search parameter {param} does not support the modifier {modifier}.")
UNSUPPORTED_FORMAT = code("fhir.unsupported_format", 415, "仅支持 JSON 格式（_format=json）。",
                          "Only JSON is supported (_format=json).")
BAD_SEARCH_BODY = code("fhir.bad_search_body", 400, "_search 的请求体须为 application/x-www-form-urlencoded 表单。",
                       "The body of _search must be an application/x-www-form-urlencoded form.")
