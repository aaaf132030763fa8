// Shared helpers of the home-nursing pages (resident, nurse, console): money, Shanghai times, the order's
// window, status colours, and the ISO instant of a Shanghai wall-clock time.
import { get } from '../../api'
import { currentLang } from '../../i18n'

const ZONE = 'Asia/Shanghai'

export function money(fen) {
  const n = Number(fen || 0)
  const abs = Math.abs(n)
  return `${n < 0 ? '−' : ''}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`
}

function asDate(value) {
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`
  return new Date(iso)
}

export function hhmm(value) {
  if (!value) return ''
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false })
    .format(asDate(value))
}

export function dayOf(value) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(asDate(value))
}

export function dayTime(value) {
  return value ? `${dayOf(value)} ${hhmm(value)}` : ''
}

// "2026-03-04 09:00–11:00" of an order's window.
export function windowText(o) {
  return `${o.service_day} ${hhmm(o.window_start_at)}–${hhmm(o.window_end_at)}`
}

// The instant of a Shanghai wall-clock time (China keeps +08:00 all year).
export function shanghaiInstant(day, time) {
  return `${day}T${time}:00+08:00`
}

export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

export const STATUS_TYPE = {
  requested: 'warning', first_visit: 'warning', assessed: 'primary', accepted: 'primary', assigned: 'primary',
  consented: 'primary', en_route: 'success', in_service: 'success', recorded: 'success', completed: 'success',
  paid: 'success', rated: 'success', rejected: 'danger', cancelled: 'default',
}

export const ACTIVE_VISIT = ['assigned', 'consented', 'en_route', 'in_service', 'recorded']

// Item names come in both languages; the page shows the one of the current language.
export function itemName(item, lang = currentLang()) {
  return lang === 'en' ? item.name_en : item.name_zh
}

// What the visit costs before consumables: the item's public price plus the home-visit fee.
export function visitTotal(o) {
  return Number(o.price_fen || 0) + Number(o.visit_fee_fen || 0)
}

// Great-circle distance in metres (haversine), as the server measures check-in.
export function distanceM(lat1, lon1, lat2, lon2) {
  const rad = (x) => (x * Math.PI) / 180
  const dp = rad(lat2 - lat1)
  const dl = rad(lon2 - lon1)
  const a = Math.sin(dp / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dl / 2) ** 2
  return Math.round(2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a))))
}

// The current position, or null when the browser has none or it is refused (the page then asks for lat/lon).
export function locate(timeoutMs = 8000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      resolve(null)
      return
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: Number(p.coords.latitude.toFixed(6)), longitude: Number(p.coords.longitude.toFixed(6)) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30_000 },
    )
  })
}

// A file read as base64 (without the data: prefix) for the JSON upload endpoints.
export function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).split(',', 2)[1] || '')
    r.onerror = () => reject(r.error)
    r.readAsDataURL(file)
  })
}

let populations = null
export function populationNames() {
  if (!populations) populations = get('/nursing/catalogue/populations').catch((e) => { populations = null; throw e })
  return populations
}
