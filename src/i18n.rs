//! The language of every word the app shows: English or Simplified Chinese.
//!
//! The strings live in `locales/en.yml` and `locales/zh-CN.yml` (one file a
//! language, `%{name}` placeholders so each language orders its own words),
//! compiled in by rust-i18n. The language is one process-wide setting,
//! decided once at start-up by [`decide`] from `--lang`, `language` in
//! config.toml and the locale variables, and changed by the composer's
//! language key; every `tr!` reads it. A thread may have a language of its
//! own ([`set_for_this_thread`]): tests do, so one that presses the
//! language key changes nothing for the tests running beside it.

use serde::{Deserialize, Serialize};

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// The locale name of its file in `locales/`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The other language: what the composer's language key switches to.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::ZhCn,
            Lang::ZhCn => Lang::En,
        }
    }

    /// The setting that chooses this language whatever the environment.
    pub fn setting(self) -> Setting {
        match self {
            Lang::En => Setting::En,
            Lang::ZhCn => Setting::ZhCn,
        }
    }
}

/// `language` in config.toml and `--lang`: a language, or `auto` to follow
/// the locale variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum Setting {
    #[default]
    #[serde(rename = "auto")]
    #[value(name = "auto")]
    Auto,
    #[serde(rename = "zh-CN")]
    #[value(name = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    #[value(name = "en")]
    En,
}

/// The locale variables that `auto` reads, as the environment has them.
#[derive(Debug, Clone, Default)]
pub struct LocaleEnv {
    pub lc_all: Option<String>,
    pub lc_messages: Option<String>,
    pub lang: Option<String>,
}

impl LocaleEnv {
    pub fn from_env() -> LocaleEnv {
        LocaleEnv {
            lc_all: std::env::var("LC_ALL").ok(),
            lc_messages: std::env::var("LC_MESSAGES").ok(),
            lang: std::env::var("LANG").ok(),
        }
    }
}

/// The language to use: `--lang` first, then config.toml's `language`, and
/// for `auto` the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and
/// not empty, as POSIX orders them. A locale whose language is `zh`
/// (`zh_CN.UTF-8`, `zh_TW`, `zh`) is Chinese; anything else, `C` and no
/// locale at all, is English.
pub fn decide(flag: Option<Setting>, config: Option<Setting>, env: &LocaleEnv) -> Lang {
    match flag.or(config).unwrap_or_default() {
        Setting::En => Lang::En,
        Setting::ZhCn => Lang::ZhCn,
        Setting::Auto => {
            let locale = [&env.lc_all, &env.lc_messages, &env.lang]
                .into_iter()
                .flatten()
                .find(|v| !v.is_empty());
            match locale {
                Some(l) if is_chinese(l) => Lang::ZhCn,
                _ => Lang::En,
            }
        }
    }
}

/// `zh`, `zh_CN.UTF-8`, `zh_TW@euro`, `zh-Hans`: the language part before
/// the territory, codeset or modifier is `zh`.
fn is_chinese(locale: &str) -> bool {
    let language = locale
        .split(['_', '-', '.', '@'])
        .next()
        .unwrap_or_default();
    language.eq_ignore_ascii_case("zh")
}

thread_local! {
    /// A thread's own language, when it has one: a test's, so that a test
    /// switching languages never changes what a test beside it sees.
    static HERE: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Makes `lang` the language of every string shown from now on: this
/// thread's, if it has a language of its own, else the process's (which
/// the composer's background threads share).
pub fn set(lang: Lang) {
    if HERE.with(std::cell::Cell::get).is_some() {
        HERE.with(|h| h.set(Some(lang)));
    } else {
        rust_i18n::set_locale(lang.code());
    }
}

/// Gives this thread a language of its own (tests: each test thread says
/// which language it draws in).
pub fn set_for_this_thread(lang: Lang) {
    HERE.with(|h| h.set(Some(lang)));
}

/// This thread's own language, if it was given one.
pub fn thread_language() -> Option<Lang> {
    HERE.with(std::cell::Cell::get)
}

/// Runs `f` with `lang` as this thread's language, then gives the thread
/// back the language it had (its own, or none: the process's), also when
/// `f` panics. For wire formats the seeds define in English (the sandbox's
/// errmsg, the relay's answers), which reuse the checks' sentences and
/// must not follow the language of the process.
pub fn in_language<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            HERE.with(|h| h.set(self.0));
        }
    }
    let _restore = Restore(HERE.with(|h| h.replace(Some(lang))));
    f()
}

/// A future that runs every step in `lang` (see [`in_language`]): the
/// language is a thread's, and a task may wake on any worker thread, so it
/// is set around each poll rather than once. The servers' request handlers
/// run in one ([`crate::http_server`]), so every sentence an answer is
/// built from, however deep, is English whatever the process speaks.
pub struct InLanguage<F> {
    lang: Lang,
    inner: std::pin::Pin<Box<F>>,
}

impl<F: std::future::Future> std::future::Future for InLanguage<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let lang = self.lang;
        in_language(lang, || self.inner.as_mut().poll(cx))
    }
}

/// `future`, run in `lang` at every step.
pub fn future_in_language<F: std::future::Future>(lang: Lang, future: F) -> InLanguage<F> {
    InLanguage {
        lang,
        inner: Box::pin(future),
    }
}

/// Two sentences one after the other: a space between them, as English
/// writes it, except after Chinese full-width punctuation (`。`, `）`, …),
/// which carries its own space.
pub fn join_sentences(first: &str, second: &str) -> String {
    let full_width = first
        .chars()
        .next_back()
        .is_some_and(|c| "。！？；：，）”".contains(c));
    if full_width || first.is_empty() || second.is_empty() {
        format!("{first}{second}")
    } else {
        format!("{first} {second}")
    }
}

/// The language strings are shown in now, on this thread.
pub fn current() -> Lang {
    if let Some(lang) = HERE.with(std::cell::Cell::get) {
        return lang;
    }
    if &*rust_i18n::locale() == Lang::ZhCn.code() {
        Lang::ZhCn
    } else {
        Lang::En
    }
}

/// The string of `key` in the current language, or `english` when the
/// locale files have none: for tables (the key map, the errcodes) whose
/// English lives beside the code and whose keys are made from their rows.
pub fn text_or(key: &str, english: &'static str) -> std::borrow::Cow<'static, str> {
    match crate::_rust_i18n_try_translate(current().code(), key) {
        Some(s) => std::borrow::Cow::Owned(s.into_owned()),
        None => std::borrow::Cow::Borrowed(english),
    }
}

/// `rust_i18n::t!` in [`current`]'s language (this thread's, else the
/// process's): `tr!("status.sent", robot = name)`.
#[macro_export]
macro_rules! tr {
    ($key:expr $(, $name:ident = $value:expr)* $(,)?) => {
        rust_i18n::t!($key, locale = $crate::i18n::current().code() $(, $name = $value)*)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> LocaleEnv {
        LocaleEnv {
            lc_all: lc_all.map(str::to_owned),
            lc_messages: lc_messages.map(str::to_owned),
            lang: lang.map(str::to_owned),
        }
    }

    #[test]
    fn in_language_restores_the_thread_language_even_after_a_panic() {
        std::thread::spawn(|| {
            assert_eq!(thread_language(), None);
            assert_eq!(in_language(Lang::En, current), Lang::En);
            assert_eq!(thread_language(), None, "no language of its own again");
            set_for_this_thread(Lang::ZhCn);
            assert_eq!(in_language(Lang::En, current), Lang::En);
            assert_eq!(current(), Lang::ZhCn);
            let caught = std::panic::catch_unwind(|| {
                in_language(Lang::En, || -> () { panic!("inside") });
            });
            assert!(caught.is_err());
            assert_eq!(current(), Lang::ZhCn, "restored after the panic");
        })
        .join()
        .expect("the thread");
    }

    #[test]
    fn sentences_join_with_a_space_only_after_english() {
        assert_eq!(
            join_sentences("Too long.", "Shorten it."),
            "Too long. Shorten it."
        );
        assert_eq!(join_sentences("太长。", "请缩短。"), "太长。请缩短。");
        assert_eq!(join_sentences("x", ""), "x");
    }

    #[test]
    fn auto_reads_chinese_locales_as_chinese() {
        for l in ["zh_CN.UTF-8", "zh_TW", "zh", "zh_HK.Big5", "zh-Hans"] {
            assert_eq!(
                decide(None, None, &env(None, None, Some(l))),
                Lang::ZhCn,
                "{l}"
            );
        }
    }

    #[test]
    fn auto_reads_everything_else_as_english() {
        for l in [
            "C",
            "C.UTF-8",
            "POSIX",
            "en_US.UTF-8",
            "ja_JP.UTF-8",
            "zu_ZA",
            "",
        ] {
            assert_eq!(
                decide(None, None, &env(None, None, Some(l))),
                Lang::En,
                "{l}"
            );
        }
        assert_eq!(
            decide(None, None, &env(None, None, None)),
            Lang::En,
            "unset"
        );
    }

    #[test]
    fn lc_all_then_lc_messages_then_lang() {
        let zh = Some("zh_CN.UTF-8");
        let c = Some("C");
        assert_eq!(decide(None, None, &env(c, zh, zh)), Lang::En);
        assert_eq!(decide(None, None, &env(zh, c, c)), Lang::ZhCn);
        assert_eq!(decide(None, None, &env(None, zh, c)), Lang::ZhCn);
        assert_eq!(decide(None, None, &env(None, c, zh)), Lang::En);
        // An empty variable is unset, as the C library reads it.
        assert_eq!(decide(None, None, &env(Some(""), None, zh)), Lang::ZhCn);
    }

    #[test]
    fn the_flag_beats_the_config_which_beats_the_environment() {
        let zh_env = env(None, None, Some("zh_CN.UTF-8"));
        assert_eq!(decide(Some(Setting::En), None, &zh_env), Lang::En);
        assert_eq!(decide(None, Some(Setting::En), &zh_env), Lang::En);
        assert_eq!(
            decide(
                Some(Setting::ZhCn),
                Some(Setting::En),
                &env(None, None, None)
            ),
            Lang::ZhCn
        );
        assert_eq!(
            decide(Some(Setting::Auto), Some(Setting::En), &zh_env),
            Lang::ZhCn,
            "--lang auto asks for the environment"
        );
        assert_eq!(decide(None, Some(Setting::Auto), &zh_env), Lang::ZhCn);
    }
}
