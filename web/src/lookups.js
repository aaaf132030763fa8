// Code lists and the institution directory, fetched once per language.
import { get } from './api'
import { currentLang } from './i18n'

const cache = new Map()

function once(key, load) {
  const k = `${currentLang()}:${key}`
  if (!cache.has(k)) cache.set(k, load().catch((e) => { cache.delete(k); throw e }))
  return cache.get(k)
}

export const codeLists = () => once('codes', () => get('/codes'))
export const institutions = () => once('institutions', async () => (await get('/institutions?limit=200')).items)
