// The institution's live alarms, shared by every nursing console page: one Server-Sent Events stream (token in the
// URL, as EventSource sends no headers) opened while at least one page uses it. The server replays the alarms
// still open on a first connection and what changed after Last-Event-ID on a reconnection; a new alarm raised
// while the console is open is announced once.
import { computed, onBeforeUnmount, onMounted, reactive, ref } from 'vue'
import { post } from '../../../api'

const alarms = reactive({})
const connected = ref(false)
const listeners = new Set()
let users = 0
let source = null
let lastId = null
let retry = null
let openedAt = 0

export function putAlarm(a) {
  const before = alarms[a.id]
  alarms[a.id] = a
  const fresh = !before && a.status === 'open' && Date.parse(a.raised_at) > openedAt - 5000
  if (fresh) for (const fn of listeners) fn(a)
}

async function open(institutionId) {
  if (source || users === 0) return
  try {
    const { token, url } = await post(`/institutions/${institutionId}/nursing/alarms/stream-token`)
    if (users === 0) return
    const params = new URLSearchParams({ token })
    if (lastId !== null) params.set('last_id', String(lastId))
    source = new EventSource(`${url}?${params}`)
  } catch {
    retry = setTimeout(() => open(institutionId), 3000)
    return
  }
  source.onopen = () => { connected.value = true }
  source.addEventListener('alarm', (ev) => {
    if (ev.lastEventId) lastId = ev.lastEventId
    putAlarm(JSON.parse(ev.data))
  })
  source.onerror = () => {
    connected.value = false
    if (source && source.readyState === EventSource.CLOSED) {
      source = null
      retry = setTimeout(() => open(institutionId), 2000)
    }
  }
}

// The last page left: the stream closes and the feed forgets (the next connection replays what is still open).
function close() {
  clearTimeout(retry)
  if (source) source.close()
  source = null
  connected.value = false
  lastId = null
  for (const k of Object.keys(alarms)) delete alarms[k]
}

export function useAlarmFeed(institutionId, onNew = null) {
  onMounted(() => {
    if (onNew) listeners.add(onNew)
    users += 1
    if (users === 1) openedAt = Date.now()
    if (institutionId) open(institutionId)
  })
  onBeforeUnmount(() => {
    if (onNew) listeners.delete(onNew)
    users -= 1
    if (users === 0) close()
  })
  const list = computed(() => Object.values(alarms).sort((a, b) => (a.raised_at < b.raised_at ? 1 : -1)))
  const openCount = computed(() => list.value.filter((a) => a.status === 'open').length)
  return { alarms: list, openCount, connected }
}
