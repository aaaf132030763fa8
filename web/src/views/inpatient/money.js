// Inpatient money and places: fen shown as ¥ with two decimals (a debt as −¥), the low-balance line, the yuan a
// person types read into fen without floating point, and the names of hospitals and departments.
import { get } from '../../api'
import { institutions } from '../../lookups'

export const LOW_BALANCE_FEN = 50000
export const PRESETS_FEN = [50000, 100000, 200000]

export function money(fen) {
  const n = Number(fen || 0)
  const abs = Math.abs(n)
  return `${n < 0 ? '−' : ''}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`
}

// 'low' below the line, 'negative' when in arrears, '' otherwise.
export function balanceLevel(fen) {
  if (fen < 0) return 'negative'
  return fen < LOW_BALANCE_FEN ? 'low' : ''
}

// "1000", "1000.5", "0.05" → fen; null when it is not an amount of yuan with at most two decimals.
export function fenOf(text) {
  const v = String(text ?? '').trim()
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(v)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

const departments = new Map()

// Hospital and department names of an admission (the admission carries their ids).
export async function placeOf(adm) {
  const insts = await institutions()
  const hospital = insts.find((i) => i.id === adm.institution_id)?.name || ''
  let department = ''
  if (adm.department_id) {
    if (!departments.has(adm.institution_id)) {
      departments.set(adm.institution_id, get(`/institutions/${adm.institution_id}/departments`)
        .catch((e) => { departments.delete(adm.institution_id); throw e }))
    }
    department = (await departments.get(adm.institution_id)).find((d) => d.id === adm.department_id)?.name || ''
  }
  return { hospital, department }
}
