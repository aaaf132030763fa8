// A live stream (Server-Sent Events) with a short-lived token in the URL: EventSource cannot send headers.
// On a broken connection the browser reconnects by itself (sending Last-Event-ID); when that fails for good
// (an expired token), a new token is fetched and the stream reopened after the last event seen.
import { onBeforeUnmount, ref } from 'vue'
import { post } from '../../api'

export function useEventStream(tokenPath, handlers) {
  const connected = ref(false)
  let source = null
  let lastId = null
  let stopped = false
  let retry = null

  async function open() {
    if (stopped || source) return
    try {
      const { token, url } = await post(tokenPath)
      const params = new URLSearchParams({ token })
      if (lastId !== null) params.set('last_id', String(lastId))
      source = new EventSource(`${url}?${params}`)
    } catch {
      retry = setTimeout(open, 3000)
      return
    }
    source.onopen = () => { connected.value = true }
    for (const [name, fn] of Object.entries(handlers)) {
      source.addEventListener(name, (ev) => {
        if (ev.lastEventId) lastId = Number(ev.lastEventId)
        fn(JSON.parse(ev.data))
      })
    }
    source.onerror = () => {
      connected.value = false
      if (source.readyState === EventSource.CLOSED) {
        source = null
        retry = setTimeout(open, 2000)
      }
    }
  }

  function stop() {
    stopped = true
    clearTimeout(retry)
    if (source) source.close()
  }

  onBeforeUnmount(stop)
  return { open, stop, connected }
}
