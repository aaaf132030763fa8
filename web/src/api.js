// One client for /api/v1: sends Accept-Language, refreshes the access token once on 401 auth.token_invalid,
// and turns every failure into an ApiError carrying the server's {code, message} (already translated).
import { currentLang, i18n } from './i18n'
import { clearSession, session, setTokens } from './session'

export class ApiError extends Error {
  constructor(status, body) {
    const fallback = i18n.global.t('common.network')
    super((body && body.message) || fallback)
    this.status = status
    this.code = (body && body.code) || 'network'
    this.errors = (body && body.errors) || []
  }
}

let onExpired = () => {}
export function whenSessionExpires(fn) {
  onExpired = fn
}

async function send(method, path, body, token, extra = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang(), ...extra }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  let res
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new ApiError(0, null)
  }
  let data = null
  if (res.status !== 204) {
    const text = await res.text()
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      data = null
    }
  }
  return { res, data }
}

let refreshing = null

// Concurrent calls share one refresh: presenting a used refresh token twice revokes the whole family.
export function refreshTokens() {
  if (!refreshing) {
    const token = session.refresh
    refreshing = (async () => {
      if (!token) return false
      const { res, data } = await send('POST', '/auth/refresh', { refresh_token: token })
      if (res.ok && data && data.access_token) {
        setTokens(data)
        return true
      }
      return false
    })().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

export async function api(method, path, body, { auth = true, headers = {} } = {}) {
  let { res, data } = await send(method, path, body, auth ? session.access : null, headers)
  if (auth && res.status === 401 && data && data.code === 'auth.token_invalid' && session.refresh) {
    let ok = false
    try {
      ok = await refreshTokens()
    } catch {
      ok = false
    }
    if (ok) ({ res, data } = await send(method, path, body, session.access, headers))
  }
  if (!res.ok) {
    if (auth && res.status === 401 && session.access) {
      clearSession()
      onExpired(new ApiError(res.status, data))
    }
    throw new ApiError(res.status, data)
  }
  return data
}

export const get = (path) => api('GET', path)
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts)
export const del = (path) => api('DELETE', path)

export async function logout() {
  const token = session.refresh
  clearSession()
  if (token) {
    try {
      await send('POST', '/auth/logout', { refresh_token: token })
    } catch {
      // signed out locally either way
    }
  }
}

// Which form field a server error belongs to, so its message is shown next to that field.
const FIELD_OF_CODE = [
  ['identity.id_number', 'id_number'],
  ['identity.already_registered', 'id_number'],
  ['identity.minor_requires_guardian', 'id_number'],
  ['identity.name', 'name'],
  ['identity.phone', 'phone'],
  ['auth.password_weak', 'password'],
  ['card.number_format', 'card_number'],
  ['card.duplicate', 'card_number'],
  ['card.institution_required', 'institution_id'],
  ['card.relation_invalid', 'relation'],
  ['card.self_mismatch', 'relation'],
  ['card.guardian_required', 'guardian_consent'],
  ['card.type_invalid', 'card_type'],
  ['card.consent_code_invalid', 'verification_code'],
  ['registry.department_code', 'code'],
]

export function fieldErrors(err) {
  const out = {}
  if (!(err instanceof ApiError)) return out
  if (err.code === 'common.validation' && err.errors.length) {
    for (const e of err.errors) out[e.field] = err.message
    return out
  }
  for (const [prefix, field] of FIELD_OF_CODE) {
    if (err.code.startsWith(prefix)) {
      out[field] = err.message
      break
    }
  }
  return out
}
