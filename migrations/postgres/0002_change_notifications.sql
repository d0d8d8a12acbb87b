-- Every committed change the scheduler acts on is announced on channel okrbot_changes, so that
-- a scheduler in another process wakes at once (src/store/changes.rs). Row triggers, not
-- statement triggers: a claim that matched no row must not wake anyone, or a scheduler would
-- wake itself for ever. NOTIFY is sent at commit and folded within a transaction, so a writing
-- transaction wakes each listener once, and a rolled-back one not at all.
CREATE FUNCTION okrbot_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('okrbot_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER check_ins_changed AFTER INSERT OR UPDATE OR DELETE ON check_ins
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
CREATE TRIGGER alerts_changed AFTER INSERT OR UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
CREATE TRIGGER deliveries_changed AFTER INSERT OR UPDATE OR DELETE ON deliveries
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
CREATE TRIGGER schedules_changed AFTER INSERT OR UPDATE OR DELETE ON schedules
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
CREATE TRIGGER kpis_changed AFTER INSERT OR UPDATE OR DELETE ON kpis
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
CREATE TRIGGER kpi_readings_changed AFTER INSERT OR UPDATE OR DELETE ON kpi_readings
    FOR EACH ROW EXECUTE FUNCTION okrbot_notify_change();
