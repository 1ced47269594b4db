//! The strings of `locales/*.yml` are compiled into the crate by
//! rust-i18n's `i18n!` macro, which cargo does not know reads them: without
//! this, editing only a locale file leaves the old strings in the binary.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
