//! The providers compiled into this binary.

use terrane_sdk::Registry;

/// Every built-in provider, by local name and source address.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    terrane_builtin::register_all(&mut r);
    r
}
