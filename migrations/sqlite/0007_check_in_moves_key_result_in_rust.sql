-- The check-in's effect on its key result (current value, confidence, last check-in, the
-- ignored-prompt count) is now written by the store in the same transaction as the check-in,
-- so the rule lives in one place and in Rust, where a second backend can share it.
DROP TRIGGER IF EXISTS check_ins_move_key_result;
