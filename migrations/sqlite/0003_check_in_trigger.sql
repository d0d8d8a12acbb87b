-- A check-in moves its key result in the same statement that records it: one round trip fewer
-- on the hottest write path, and no way to record one without the other.
CREATE TRIGGER check_ins_move_key_result AFTER INSERT ON check_ins
BEGIN
    UPDATE key_results
    SET current = NEW.value,
        confidence = coalesce(NEW.confidence, confidence),
        last_check_in_at = NEW.created_at,
        ignored_prompts = 0
    WHERE id = NEW.kr_id;
END;
