// Tokens live in sessionStorage: they end with the tab, and are not shared with other tabs.
import { reactive } from 'vue'

const KEY = 'yihu.session'

function load() {
  try {
    const raw = sessionStorage.getItem(KEY)
    if (raw) return JSON.parse(raw)
  } catch {
    // ignore a damaged entry
  }
  return { access: null, refresh: null, account: null }
}

export const session = reactive(load())

function save() {
  sessionStorage.setItem(KEY, JSON.stringify({ access: session.access, refresh: session.refresh, account: session.account }))
}

export function setTokens(out) {
  session.access = out.access_token
  session.refresh = out.refresh_token
  if (out.account) session.account = out.account
  save()
}

export function setAccount(account) {
  session.account = account
  save()
}

export function clearSession() {
  session.access = null
  session.refresh = null
  session.account = null
  sessionStorage.removeItem(KEY)
}

export function isSignedIn() {
  return Boolean(session.access && session.account)
}

const HOMES = {
  resident: '/resident',
  institution_admin: '/console',
  doctor: '/console',
  nurse: '/nurse', // the phone page of the day's route; the desk console is one tap away
  pharmacist: '/console',
  regulator: '/regulator',
  system_admin: '/admin',
}

export function homeFor(role) {
  return HOMES[role] || '/login'
}
