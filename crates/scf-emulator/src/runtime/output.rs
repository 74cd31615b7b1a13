//! An instance's stdout and stderr: read continuously, split in lines and kept per request up to a cap.
//!
//! Both pipes are read by tasks of their own from the moment the process starts, so the process never blocks
//! on a full pipe whatever the emulator is doing. Complete lines go into one shared buffer, so lines of the
//! two streams interleave whole. The buffer belongs to the request in flight: [`Output::take`] hands it out
//! and starts the next one, so output written before the first request (init) lands in the first request's
//! log. Past the cap one marker line is kept and the rest is read and dropped.
//!
//! A request's last lines may still sit in a pipe when its answer arrives (the bash sample writes to stderr,
//! then starts curl to post the response). [`Output::settle`] asks each reader how many bytes its pipe holds
//! at that moment (`FIONREAD`) and waits until it has read that many, so everything written before the
//! answer is attributed to that request, and a process that keeps writing cannot make it wait forever.

use std::os::fd::AsFd;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The line that replaces a request's output past the cap.
pub(crate) const TRUNCATED: &str = "... output truncated ...\n";

/// How much one read takes from a pipe; also the longest partial line held back waiting for its end.
const CHUNK: usize = 64 * 1024;

/// The output kept for the request in flight.
#[derive(Debug)]
struct Kept {
    bytes: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl Kept {
    fn new(cap: usize) -> Self {
        Self {
            bytes: Vec::new(),
            cap,
            truncated: false,
        }
    }

    /// Keeps `line` (which ends with a newline unless it is the last of a stream) or what fits of it.
    fn push_line(&mut self, line: &[u8]) {
        if self.truncated {
            return;
        }
        let room = self.cap - self.bytes.len();
        if line.len() <= room {
            self.bytes.extend_from_slice(line);
            return;
        }
        self.bytes.extend_from_slice(&line[..room]);
        if self.bytes.last().is_some_and(|&last| last != b'\n') {
            self.bytes.push(b'\n');
        }
        self.bytes.extend_from_slice(TRUNCATED.as_bytes());
        self.truncated = true;
    }

    fn take(&mut self) -> String {
        self.truncated = false;
        let bytes = std::mem::take(&mut self.bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The shared buffer both readers write into.
type Shared = Arc<Mutex<Kept>>;

fn lock(kept: &Shared) -> std::sync::MutexGuard<'_, Kept> {
    // A reader that panicked mid-line leaves a buffer that is still a valid byte string.
    kept.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A request to a reader: acknowledge once the bytes its pipe holds now are read.
type SettleRequest = oneshot::Sender<()>;

/// The captured output of one process.
#[derive(Debug)]
pub(crate) struct Output {
    kept: Shared,
    settles: Vec<mpsc::UnboundedSender<SettleRequest>>,
    readers: Vec<JoinHandle<()>>,
}

impl Output {
    /// Output kept at most `cap` bytes per request, from no stream yet.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            kept: Arc::new(Mutex::new(Kept::new(cap))),
            settles: Vec::new(),
            readers: Vec::new(),
        }
    }

    /// Starts reading `stream` (the process's stdout or stderr) into the output.
    pub(crate) fn read<R>(&mut self, stream: R)
    where
        R: AsyncRead + AsFd + Unpin + Send + 'static,
    {
        let (settle, requests) = mpsc::unbounded_channel();
        self.settles.push(settle);
        self.readers
            .push(tokio::spawn(read(stream, Arc::clone(&self.kept), requests)));
    }

    /// Waits, at most `deadline`, until every byte the pipes hold now has been read and kept.
    pub(crate) async fn settle(&self, deadline: Duration) {
        let mut acknowledgements = Vec::new();
        for settle in &self.settles {
            let (acknowledge, acknowledged) = oneshot::channel();
            // A reader that has ended has already kept everything its pipe ever held.
            if settle.send(acknowledge).is_ok() {
                acknowledgements.push(acknowledged);
            }
        }
        let all = async {
            for acknowledged in acknowledgements {
                let _ = acknowledged.await;
            }
        };
        let _ = tokio::time::timeout(deadline, all).await;
    }

    /// The output kept since the last take; the next request's output starts empty.
    pub(crate) fn take(&self) -> String {
        lock(&self.kept).take()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // A process that escaped its group could hold a pipe open for ever; its reader ends here.
        for reader in &self.readers {
            reader.abort();
        }
    }
}

/// One pipe's reader: splits what arrives in lines into `kept`, and answers settle requests.
async fn read<R>(mut stream: R, kept: Shared, mut requests: mpsc::UnboundedReceiver<SettleRequest>)
where
    R: AsyncRead + AsFd + Unpin,
{
    let mut chunk = vec![0u8; CHUNK];
    let mut partial = Vec::new();
    // Settle requests still waiting, with how many more bytes must be read before each is answered.
    let mut waiting: Vec<(u64, SettleRequest)> = Vec::new();
    let mut requests_open = true;
    loop {
        tokio::select! {
            // Requests first: a flooding process keeps the pipe always readable.
            biased;
            request = requests.recv(), if requests_open => match request {
                Some(request) => {
                    let pending = rustix::io::ioctl_fionread(stream.as_fd()).unwrap_or(0);
                    if pending == 0 {
                        flush(&kept, &mut partial);
                        let _ = request.send(());
                    } else {
                        waiting.push((pending, request));
                    }
                }
                None => requests_open = false,
            },
            read = stream.read(&mut chunk) => {
                let count = match read {
                    Ok(0) | Err(_) => break,
                    Ok(count) => count,
                };
                keep(&kept, &mut partial, &chunk[..count]);
                let mut index = 0;
                while index < waiting.len() {
                    waiting[index].0 = waiting[index].0.saturating_sub(count as u64);
                    if waiting[index].0 == 0 {
                        let (_, request) = waiting.swap_remove(index);
                        flush(&kept, &mut partial);
                        let _ = request.send(());
                    } else {
                        index += 1;
                    }
                }
            }
        }
    }
    flush(&kept, &mut partial);
    for (_, request) in waiting {
        let _ = request.send(());
    }
}

/// Adds `bytes` to the stream's partial line and keeps every line it completes.
fn keep(kept: &Shared, partial: &mut Vec<u8>, bytes: &[u8]) {
    let mut kept = lock(kept);
    let mut rest = bytes;
    while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
        let (line, after) = rest.split_at(end + 1);
        if partial.is_empty() {
            kept.push_line(line);
        } else {
            partial.extend_from_slice(line);
            kept.push_line(partial);
            partial.clear();
        }
        rest = after;
    }
    partial.extend_from_slice(rest);
    // A line longer than a chunk is kept in pieces rather than held back without bound.
    if partial.len() >= CHUNK {
        kept.push_line(partial);
        partial.clear();
    }
}

/// Keeps the stream's partial line as a line of its own (the request ends, or the stream does).
fn flush(kept: &Shared, partial: &mut Vec<u8>) {
    if !partial.is_empty() {
        partial.push(b'\n');
        lock(kept).push_line(partial);
        partial.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use tokio::io::AsyncWriteExt;
    use tokio::net::unix::pipe;

    use super::{Kept, Output, TRUNCATED};

    #[test]
    fn output_past_the_cap_is_cut_and_marked_once() {
        let mut kept = Kept::new(10);
        kept.push_line(b"12345\n");
        kept.push_line(b"abcdefgh\n");
        kept.push_line(b"dropped\n");
        assert_eq!(kept.take(), format!("12345\nabcd\n{TRUNCATED}"));
        kept.push_line(b"next\n");
        assert_eq!(kept.take(), "next\n");
    }

    #[tokio::test]
    async fn lines_written_before_a_settle_belong_to_the_request_in_flight() {
        let (mut first_writer, first_reader) = pipe::pipe().unwrap();
        let (mut second_writer, second_reader) = pipe::pipe().unwrap();
        let mut output = Output::new(1024);
        output.read(first_reader);
        output.read(second_reader);
        first_writer.write_all(b"one\ntw").await.unwrap();
        second_writer.write_all(b"three\n").await.unwrap();
        output.settle(Duration::from_secs(30)).await;
        let log = output.take();
        // The partial line ends the request as a line of its own.
        assert!(log.contains("one\n") && log.contains("tw\n") && log.contains("three\n"));
        first_writer.write_all(b"four\n").await.unwrap();
        output.settle(Duration::from_secs(30)).await;
        assert_eq!(output.take(), "four\n");
    }

    #[tokio::test]
    async fn a_stream_that_ends_keeps_its_last_partial_line() {
        let (mut writer, reader) = pipe::pipe().unwrap();
        let mut output = Output::new(1024);
        output.read(reader);
        writer.write_all(b"last words").await.unwrap();
        drop(writer);
        output.settle(Duration::from_secs(30)).await;
        assert_eq!(output.take(), "last words\n");
    }
}
