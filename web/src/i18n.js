// zh-CN first; the choice of English is remembered in localStorage and sent to the server as Accept-Language.
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zhCN from './locales/zh-CN'
import en from './locales/en'

const KEY = 'yihu.lang'
export const LANGS = ['zh-CN', 'en']

function saved() {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: saved(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

function applyLibraries(lang) {
  if (lang === 'en') Locale.use('en-US', vantEn)
  else Locale.use('zh-CN', vantZh)
  document.documentElement.lang = lang
  document.title = lang === 'en' ? 'Yihu — Internet + Healthcare' : '医护 · 互联网+医疗健康'
}

applyLibraries(saved())

export function currentLang() {
  return i18n.global.locale.value
}

export function setLang(lang) {
  const value = lang === 'en' ? 'en' : 'zh-CN'
  i18n.global.locale.value = value
  try {
    localStorage.setItem(KEY, value)
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyLibraries(value)
}
