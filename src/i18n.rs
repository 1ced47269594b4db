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
/// process's): `tr!("status.sent", robot = name)`. The placeholders are
/// filled by [`fill`], which spaces a Latin value off the Chinese around it.
#[macro_export]
macro_rules! tr {
    ($key:expr $(,)?) => {
        rust_i18n::t!($key, locale = $crate::i18n::current().code())
    };
    ($key:expr $(, $name:ident = $value:expr)+ $(,)?) => {{
        std::borrow::Cow::<'static, str>::Owned($crate::i18n::fill(
            &$crate::i18n::template($key),
            &[$((stringify!($name), ($value).to_string())),+],
        ))
    }};
}

/// The string of `key` in the current language, placeholders unfilled
/// (`zh-CN.key` when neither file has it, as `rust_i18n::t!` says it).
pub fn template(key: impl AsRef<str>) -> String {
    crate::_rust_i18n_translate(current().code(), key.as_ref()).into_owned()
}

/// A locale string with its `%{name}` placeholders replaced by `values`.
///
/// Where a placeholder sits against a Chinese character and its value
/// starts or ends with a Latin letter or a digit, a space goes between
/// them, as Chinese typesetting does (把 markdown 消息, not 把markdown消息):
/// the same template reads 把文本消息 when the value is Chinese, so the
/// space cannot be written into the template. Only the seam is touched;
/// the value itself (a robot's name, a path) is shown as it is. A
/// placeholder without a value stays as it was written.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    // Whether the last thing written was a value ending in a Latin
    // character, so that a Chinese character right after it needs a space.
    let mut after_latin_value = false;
    while let Some(start) = rest.find("%{") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        let before = &rest[..start];
        push_text(&mut out, before, after_latin_value);
        after_latin_value = false;
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let joins_han = out.chars().next_back().is_some_and(is_han);
                if joins_han && value.chars().next().is_some_and(is_latin) {
                    out.push(' ');
                }
                out.push_str(value);
                after_latin_value = value.chars().next_back().is_some_and(is_latin);
            }
            None => out.push_str(&rest[start..start + 3 + len]),
        }
        rest = &rest[start + 3 + len..];
    }
    push_text(&mut out, rest, after_latin_value);
    out
}

/// Template text after a value: a space first when a Latin value meets a
/// Chinese character.
fn push_text(out: &mut String, text: &str, after_latin_value: bool) {
    if after_latin_value && text.chars().next().is_some_and(is_han) {
        out.push(' ');
    }
    out.push_str(text);
}

/// A CJK ideograph (not the full-width punctuation, which carries its own
/// spacing).
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
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

    fn filled(template: &str, values: &[(&str, &str)]) -> String {
        let values: Vec<(&str, String)> =
            values.iter().map(|(n, v)| (*n, (*v).to_owned())).collect();
        fill(template, &values)
    }

    #[test]
    fn a_latin_value_is_spaced_off_chinese_and_a_chinese_one_is_not() {
        assert_eq!(
            filled(
                "把%{kind}消息发给 %{robot}",
                &[("kind", "markdown"), ("robot", "ops")]
            ),
            "把 markdown 消息发给 ops"
        );
        assert_eq!(filled("把%{kind}消息", &[("kind", "文本")]), "把文本消息");
        // At the start and the end of the template, and against digits.
        assert_eq!(filled("%{robot}等待", &[("robot", "ops2")]), "ops2 等待");
        assert_eq!(
            filled("现在是%{d}", &[("d", "markdown_v2")]),
            "现在是 markdown_v2"
        );
        // Full-width punctuation carries its own space; none is added.
        assert_eq!(
            filled("“%{name}”不像 userid。", &[("name", "bob")]),
            "“bob”不像 userid。"
        );
        assert_eq!(filled("已发送：%{n}", &[("n", "3")]), "已发送：3");
        // A space already written is not doubled.
        assert_eq!(filled("第 %{line} 行", &[("line", "12")]), "第 12 行");
        // English is untouched; a value is never changed inside.
        assert_eq!(
            filled(
                "Sent %{kind} to %{robot}.",
                &[("kind", "text"), ("robot", "运维bot")]
            ),
            "Sent text to 运维bot."
        );
        assert_eq!(
            filled("发给%{robot}。", &[("robot", "运维bot")]),
            "发给运维bot。"
        );
        // A placeholder without a value, or an unclosed one, stays as written.
        assert_eq!(filled("%{a} 和 %{b}", &[("a", "x")]), "x 和 %{b}");
        assert_eq!(filled("剩余 %{a", &[("a", "x")]), "剩余 %{a");
    }

    #[test]
    fn sentences_join_with_a_space_only_after_english() {
        assert_eq!(
            join_sentences("Too long.", "Shorten it."),
            "Too long. Shorten it."
        );
        assert_eq!(join_sentences("太长。", "请缩短。"), "太长。请缩短。");
        assert_eq!(join_sentences("x", ""), "x");
        assert_eq!(join_sentences("本机：", "/tmp/a"), "本机：/tmp/a");
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
