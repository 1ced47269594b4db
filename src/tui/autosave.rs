//! Numbered draft writes: the autosave runs off the UI thread, so a slow one
//! may still be writing when the app quits and saves again. Each write is
//! numbered when asked for; one older than the last written is skipped, so
//! text saved at quit is never put back by an autosave that finished later.

use std::sync::{Arc, Mutex};

/// Hands out numbered writes and remembers the newest one written.
#[derive(Debug, Default)]
pub struct NumberedWrites {
    asked: u64,
    written: Arc<Mutex<u64>>,
}

impl NumberedWrites {
    pub fn new() -> NumberedWrites {
        NumberedWrites::default()
    }

    /// Numbers `save` (which writes a snapshot taken now) and returns the
    /// write to run, here or on another thread. Writes run one at a time;
    /// a write older than one already done does nothing and succeeds.
    pub fn job<E, F>(&mut self, save: F) -> impl FnOnce() -> Result<(), E> + Send + 'static
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        self.asked += 1;
        let number = self.asked;
        let written = self.written.clone();
        move || {
            let mut last = written.lock().unwrap_or_else(|e| e.into_inner());
            if *last > number {
                return Ok(());
            }
            save()?;
            *last = number;
            Ok(())
        }
    }
}
