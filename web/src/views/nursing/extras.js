// What an order's detail page shows beside the order: its bill breakdown, the nursing record and the rating,
// each fetched only once the order has reached the state that has it.
import { get } from '../../api'

const HAS_RECORD = ['recorded', 'completed', 'paid', 'rated']
const HAS_BILL = ['completed', 'paid', 'rated', 'cancelled']

export async function orderExtras(o) {
  const [bill, record, rating] = await Promise.all([
    HAS_BILL.includes(o.status) || o.bill_id ? get(`/nursing/orders/${o.id}/bill`) : null,
    HAS_RECORD.includes(o.status) ? get(`/nursing/orders/${o.id}/record`).catch((e) => (e.status === 404 ? null : Promise.reject(e))) : null,
    o.status === 'rated' ? get(`/nursing/orders/${o.id}/rating`) : null,
  ])
  return { bill, record, rating }
}
