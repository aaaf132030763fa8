// Small helpers of the booking pages: money in fen shown as ¥ with two decimals, Shanghai clock times,
// the next days as YYYY-MM-DD, and one Idempotency-Key per booking attempt.
import { todayInShanghai } from '../../time'

const ZONE = 'Asia/Shanghai'

export function yuan(fen) {
  const n = Number(fen || 0)
  return `¥${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`
}

function asDate(value) {
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`
  return new Date(iso)
}

// "08:30" in Shanghai.
export function hhmm(value) {
  if (!value) return ''
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false })
    .format(asDate(value))
}

// "2026-03-04" (the Shanghai date of an instant).
export function localDay(value) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(asDate(value))
}

export function isPast(value) {
  return asDate(value).getTime() <= Date.now()
}

export function nextDays(n) {
  const [y, m, d] = todayInShanghai().split('-').map(Number)
  const out = []
  for (let i = 0; i < n; i += 1) {
    const x = new Date(Date.UTC(y, m - 1, d + i))
    out.push(x.toISOString().slice(0, 10))
  }
  return out
}

// 0 = Monday, as the schedules count weekdays.
export function weekdayOf(day) {
  const [y, m, d] = day.split('-').map(Number)
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7
}

export function newKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID()
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// Every slot of a schedule (a few pages at most: slots are generated for a window of days).
export async function allSlots(get, query) {
  const out = []
  for (let offset = 0; offset < 1000; offset += 200) {
    const page = await get(`/slots?${new URLSearchParams({ ...query, offset: String(offset), limit: '200' })}`)
    out.push(...page.items)
    if (out.length >= page.total || !page.items.length) break
  }
  return out
}
