// Times are UTC on the wire and Asia/Shanghai on screen.
const ZONE = 'Asia/Shanghai'

export function formatTime(value, lang) {
  if (!value) return ''
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d)
}

// Today's date in Shanghai as YYYY-MM-DD.
export function todayInShanghai() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

// Age on today's Shanghai date from the birth date inside an 18-character national ID number (null if unreadable).
export function ageFromIdNumber(idNumber) {
  const v = String(idNumber || '').trim()
  if (!/^\d{17}[\dXx]$/.test(v)) return null
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  if (m < 1 || m > 12 || d < 1 || d > 31) return null
  const [ty, tm, td] = todayInShanghai().split('-').map(Number)
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0)
}
