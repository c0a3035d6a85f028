//! Writing to stdout without panicking when the reader goes away (`terrane graph | head`).

use std::io::Write;

/// Writes text to stdout. A closed pipe ends the process quietly, as Unix tools do.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// `emit` with a newline.
pub fn emitln(text: &str) {
    emit(&format!("{text}\n"));
}
