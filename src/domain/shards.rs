//! Which of the bot's gateway shards a process connects (`discord.shards`,
//! `discord.shard_range`; `docs/operations.md`, "Several processes"). Discord asks a bot in more
//! than 2,500 servers to split its gateway into shards, each server's events on one of them;
//! each shard may be connected once, or its interactions arrive twice.

use std::fmt;

/// Shards `first..=last` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

/// The most shards okrbot takes: one per 2,500 servers is 160 million servers.
pub const MOST_SHARDS: u32 = 65_536;

impl Default for ShardRange {
    fn default() -> Self {
        ShardRange::ONE
    }
}

impl ShardRange {
    /// One shard, the whole gateway: a bot in fewer than 2,500 servers.
    pub const ONE: ShardRange = ShardRange {
        first: 0,
        last: 0,
        total: 1,
    };

    /// `range` (`first-last`, or one shard `n`; all of them when absent) of `total` shards.
    pub fn parse(total: u32, range: Option<&str>) -> Result<ShardRange, String> {
        if total == 0 || total > MOST_SHARDS {
            return Err(format!(
                "discord.shards is {total}: give the number of shards, from 1 to {MOST_SHARDS} \
                 (Discord asks for one per 2,500 servers; 1 for a smaller bot)"
            ));
        }
        let Some(text) = range.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(ShardRange {
                first: 0,
                last: total - 1,
                total,
            });
        };
        let number = |s: &str| s.trim().parse::<u32>().ok();
        let (first, last) = match text.split_once('-') {
            Some((a, b)) => (number(a), number(b)),
            None => (number(text), number(text)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(format!(
                "discord.shard_range {text:?} is not a range of shards: write first-last, e.g. \
                 0-1, or one shard, e.g. 2"
            ));
        };
        if first > last {
            return Err(format!(
                "discord.shard_range {text:?} goes backwards: write the lower shard first, e.g. \
                 {last}-{first}"
            ));
        }
        if last >= total {
            return Err(format!(
                "discord.shard_range {text:?} is outside the {total} shard(s) of discord.shards, \
                 numbered 0 to {}",
                total - 1
            ));
        }
        Ok(ShardRange { first, last, total })
    }

    /// The shards of the range, in order.
    pub fn shards(&self) -> std::ops::RangeInclusive<u32> {
        self.first..=self.last
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "shard {} of {}", self.first, self.total)
        } else {
            write!(f, "shards {}-{} of {}", self.first, self.last, self.total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_range_is_all_shards_one_shard_or_first_to_last() {
        let r = |first, last, total| ShardRange { first, last, total };
        assert_eq!(ShardRange::parse(1, None), Ok(ShardRange::ONE));
        assert_eq!(ShardRange::parse(4, None), Ok(r(0, 3, 4)));
        assert_eq!(ShardRange::parse(4, Some(" ")), Ok(r(0, 3, 4)));
        assert_eq!(ShardRange::parse(4, Some("2")), Ok(r(2, 2, 4)));
        assert_eq!(ShardRange::parse(4, Some(" 1 - 3 ")), Ok(r(1, 3, 4)));
        assert_eq!(r(1, 3, 4).to_string(), "shards 1-3 of 4");
        assert_eq!(r(2, 2, 4).to_string(), "shard 2 of 4");
        assert_eq!(r(1, 3, 4).shards().collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_range_that_cannot_be_is_refused_saying_how_to_write_it() {
        let refused = |total, range: &str| ShardRange::parse(total, Some(range)).unwrap_err();
        assert!(ShardRange::parse(0, None)
            .unwrap_err()
            .contains("from 1 to"));
        assert!(ShardRange::parse(MOST_SHARDS + 1, None).is_err());
        assert!(refused(4, "3-1").contains("write the lower shard first, e.g. 1-3"));
        assert!(refused(4, "2-4").contains("numbered 0 to 3"));
        assert!(refused(4, "4").contains("outside"));
        for bad in ["a-b", "1-", "-1", "1-2-3", "一", "0x1", "1..2"] {
            assert!(refused(4, bad).contains("write first-last"), "{bad}");
        }
    }

    proptest! {
        /// Whatever is typed, the answer is a range inside the shards or a reason, never a panic.
        #[test]
        fn any_text_is_a_range_inside_the_shards_or_a_reason(total in 0u32..70_000, text in "\\PC{0,12}") {
            if let Ok(r) = ShardRange::parse(total, Some(&text)) {
                prop_assert!(r.first <= r.last && r.last < r.total && r.total == total);
            }
        }
    }
}
