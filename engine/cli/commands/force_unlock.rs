//! `terrane force-unlock [--force] LOCK_ID`: removes a state lock left by a run that is gone.
//! The ID must be the lock's (the "state is locked" error gives it); without `--force` the
//! user confirms with "yes" on a terminal.

use crate::Ctx;
use crate::commands::state::configured_backend;
use crate::output::emitln;
use std::io::{BufRead, IsTerminal, Write};
use terrane_state::StateError;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Remove the lock without asking for confirmation.
    #[arg(long)]
    force: bool,
    /// The ID of the lock to remove, as the "state is locked" error gives it.
    lock_id: String,
}

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let backend = match configured_backend(ctx, None) {
        Ok(b) => b,
        Err(code) => return code,
    };
    // A wrong ID or a missing lock is reported before asking anything.
    let problem = match backend.lock_holder() {
        Ok(Some(held)) if held.id == args.lock_id => None,
        Ok(Some(held)) if held.id.is_empty() => Some(StateError::Locked {
            path: backend.path.clone(),
            info: Box::new(held),
        }),
        Ok(Some(held)) => Some(StateError::LockIdMismatch {
            path: backend.path.clone(),
            given: args.lock_id.clone(),
            held: Box::new(held),
        }),
        Ok(None) => Some(StateError::NotLocked {
            path: backend.path.clone(),
        }),
        Err(e) => Some(e),
    };
    if let Some(e) = problem {
        eprintln!("Error: Failed to unlock state: {e}");
        return 1;
    }
    if !args.force && !confirm() {
        return 1;
    }
    match backend.force_unlock(&args.lock_id) {
        Ok(_) => {
            emitln(&success(ctx.style.color));
            0
        }
        Err(e) => {
            eprintln!("Error: Failed to unlock state: {e}");
            1
        }
    }
}

/// Terraform's success message (bold green when colors are on).
fn success(color: bool) -> String {
    let (bold_green, green, reset) = if color {
        ("\x1b[0m\x1b[1m\x1b[32m", "\x1b[0m\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    format!(
        "{bold_green}terrane state has been successfully unlocked!{green}\n\nThe state has been unlocked, and terrane commands should now be able to\nobtain a new lock on the state.{reset}"
    )
}

/// Asks for "yes" on the terminal; a clear error when there is no terminal to ask.
fn confirm() -> bool {
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "Error: No terminal to ask for confirmation\n\nterrane asks before removing a state lock. Run it in a terminal, or pass -force to unlock without asking."
        );
        return false;
    }
    print!(
        "\nDo you really want to force-unlock?\n  terrane will remove the lock on the state.\n  This will allow local terrane commands to modify this state, even though it\n  may still be in use. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        println!();
        true
    } else {
        emitln("force-unlock cancelled.");
        false
    }
}
