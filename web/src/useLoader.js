import { onMounted, ref, watch } from 'vue'
import { useI18n } from 'vue-i18n'

/**
 * Runs `fetch` when the page mounts and again when the language changes (the server answers in it),
 * keeping `loading` and the error message a person reads.
 */
export function useLoader(fetch) {
  const { locale } = useI18n()
  const loading = ref(false)
  const error = ref('')

  async function load() {
    loading.value = true
    error.value = ''
    try {
      await fetch()
    } catch (e) {
      error.value = e.message
    } finally {
      loading.value = false
    }
  }

  onMounted(load)
  watch(locale, load)
  return { loading, error, load }
}
