//! Reading the console's input one line at a time, whatever arrives: a line is at most
//! [`MAX_LINE`] bytes (the rest is skipped, never held in memory), and bytes that are not UTF-8
//! text are refused as a line of their own instead of ending the session.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The longest line read. A command is a few hundred characters; a note at most 1,000.
pub const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(String),
    /// Longer than [`MAX_LINE`]: `bytes` long, skipped whole.
    TooLong {
        bytes: usize,
    },
    /// Not UTF-8 text.
    NotText,
}

/// The next line (without its `\n` or `\r\n`), or `None` at the end of the input.
pub async fn next_line<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Input>> {
    let mut kept: Vec<u8> = Vec::new();
    let mut length = 0usize;
    let mut read_any = false;
    let mut ended = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            break;
        }
        read_any = true;
        let (take, ends) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (MAX_LINE + 2).saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..take.min(room)]);
        length += take;
        r.consume(take);
        if ends {
            ended = true;
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if ended {
        length -= 1;
        if kept.last() == Some(&b'\n') {
            kept.pop();
        }
    }
    if length > MAX_LINE + 1 || (length == MAX_LINE + 1 && kept.last() != Some(&b'\r')) {
        return Ok(Some(Input::TooLong { bytes: length }));
    }
    if kept.last() == Some(&b'\r') {
        kept.pop();
    }
    Ok(Some(match String::from_utf8(kept) {
        Ok(s) => Input::Line(s),
        Err(_) => Input::NotText,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(bytes: &[u8]) -> Vec<Input> {
        let mut r = tokio::io::BufReader::with_capacity(16, bytes);
        let mut out = Vec::new();
        while let Some(i) = next_line(&mut r).await.expect("reads") {
            out.push(i);
        }
        out
    }

    fn line(s: &str) -> Input {
        Input::Line(s.to_owned())
    }

    #[tokio::test]
    async fn lines_end_at_newlines_and_at_the_end_of_input() {
        assert_eq!(
            all(b"one\r\ntwo\n\nthree").await,
            [line("one"), line("two"), line(""), line("three")]
        );
        assert!(all(b"").await.is_empty());
    }

    #[tokio::test]
    async fn a_line_that_is_not_utf8_is_refused_alone() {
        assert_eq!(
            all(b"before\n\xff\xfe bad\nafter\n").await,
            [line("before"), Input::NotText, line("after")]
        );
    }

    #[tokio::test]
    async fn text_in_any_script_is_read_whole() {
        let text = "GRO-1.1 9 shipped 🚀 café 日本 München\n";
        assert_eq!(all(text.as_bytes()).await, [line(text.trim_end())]);
    }

    #[tokio::test]
    async fn an_overlong_line_is_skipped_whole_and_the_next_one_read() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\n/okr help\n");
        assert_eq!(
            all(&input).await,
            [
                Input::TooLong {
                    bytes: MAX_LINE + 10
                },
                line("/okr help")
            ]
        );
        let exactly = vec![b'y'; MAX_LINE];
        assert_eq!(all(&exactly).await, [Input::Line("y".repeat(MAX_LINE))]);
    }
}
