//! Waiting for AWS to reach a state (an instance running, a VPC available): polling with a
//! capped backoff, a deadline, and progress reported to the user.

use std::future::Future;
use std::time::{Duration, Instant};
use terrane_sdk::{ApplyCtx, ProviderError};

/// What one poll found.
pub enum Poll<T> {
    Done(T),
    /// Not yet; the status to show ("pending").
    Pending(String),
}

/// Polls `check` until it is done, fails, or `timeout` passes. The first poll is immediate;
/// then every 0.5 s growing to 5 s. `TERRANE_AWS_POLL_MS` shortens the interval (tests
/// against the emulator).
pub async fn until<T, F, Fut>(
    what: &str,
    timeout: Duration,
    ctx: &ApplyCtx,
    mut check: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ProviderError>>,
{
    let started = Instant::now();
    let floor = std::env::var("TERRANE_AWS_POLL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let mut interval = floor.unwrap_or(Duration::from_millis(500));
    let cap = floor.unwrap_or(Duration::from_secs(5)).max(interval);
    let mut last = String::new();
    loop {
        match check().await? {
            Poll::Done(v) => return Ok(v),
            Poll::Pending(status) => {
                if status != last {
                    ctx.progress(&format!("waiting for {what} ({status})"));
                    last = status;
                }
            }
        }
        if started.elapsed() >= timeout {
            return Err(
                ProviderError::new(format!("waiting for {what}")).with_detail(format!(
                    "Timed out after {}s; last status: {last}",
                    timeout.as_secs()
                )),
            );
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 3 / 2).min(cap);
    }
}
