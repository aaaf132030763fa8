// How the cockpit shows its numbers (the browser test reads the raw value from data-value).
export const yuan = (fen) => (Number(fen || 0) / 100).toFixed(2)
export const percent = (share) => (share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`)
export const rating = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(2))
export const minutes = (v) => (v === null || v === undefined ? '—' : String(Math.round(v)))

// The API takes [from, to) local dates; the picker shows an inclusive range.
export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return t.toISOString().slice(0, 10)
}
