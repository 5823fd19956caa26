"""The call function also names the visit it finished, in its board event, so the rating
device at the window can ask the citizen about it (R-FB-1). Same function otherwise (0006)."""

from django.db import migrations

CALL_NEXT = r"""
CREATE OR REPLACE FUNCTION queueing_call_next(
  p_window bigint, p_staff bigint, p_day date, p_now timestamptz, p_finish boolean
) RETURNS TABLE (
  outcome text, window_number integer, unit_id bigint, ticket_id bigint, label text,
  queue_id bigint, queue_letter text, green_channel boolean, arrived_at timestamptz,
  calls integer
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_state_id bigint;
  v_cursor integer;
  v_unit bigint;
  v_number integer;
  v_session_staff bigint;
  v_paused boolean;
  v_finished integer := 0;
  v_done jsonb;  -- the visit this call finished, for the rating device (R-FB-1)
  v_cycle bigint[];
  v_n integer;
  v_i integer;
  v_ticket queueing_ticket%ROWTYPE;
BEGIN
  -- R-Q-1: one window calls one ticket at a time (a double click waits here); R-Q-3: only
  -- the staff member signed in at the window calls, and not while paused. One statement.
  -- R-Q-1: one window calls one ticket at a time (a double click waits here). An advisory
  -- lock, which writes nothing; services._lock_window takes the same one.
  PERFORM pg_advisory_xact_lock(%(lock_space)s, p_window::integer);
  -- R-Q-3: only the staff member signed in at the window calls, and not while paused
  SELECT w.unit_id, w.number, ws.id, COALESCE(ws."cursor", 0), s.staff_id, EXISTS (
      SELECT 1 FROM queueing_windowpause p WHERE p.session_id = s.id AND p.ended_at IS NULL)
    INTO v_unit, v_number, v_state_id, v_cursor, v_session_staff, v_paused
    FROM org_window w
    LEFT JOIN queueing_windowstate ws ON ws.window_id = w.id
    LEFT JOIN queueing_windowsession s ON s.window_id = w.id AND s.signed_out_at IS NULL
   WHERE w.id = p_window;
  IF v_session_staff IS NULL OR v_session_staff <> p_staff THEN
    RETURN QUERY SELECT 'not_signed_in', v_number, v_unit, NULL::bigint, NULL::text, NULL::bigint,
      NULL::text, NULL::boolean, NULL::timestamptz, NULL::integer; RETURN;
  END IF;
  IF v_paused THEN
    RETURN QUERY SELECT 'paused', v_number, v_unit, NULL::bigint, NULL::text, NULL::bigint,
      NULL::text, NULL::boolean, NULL::timestamptz, NULL::integer; RETURN;
  END IF;
  IF p_finish THEN
    UPDATE queueing_ticket SET state = 'done', ended_at = p_now,
           started_at = COALESCE(started_at, called_at)
     WHERE window_id = p_window AND state IN ('called', 'serving')
    RETURNING jsonb_build_object('id', id, 'ticket', label) INTO v_done;
    GET DIAGNOSTICS v_finished = ROW_COUNT;
  ELSIF EXISTS (SELECT 1 FROM queueing_ticket
                 WHERE window_id = p_window AND state IN ('called', 'serving')) THEN
    RETURN QUERY SELECT 'busy', v_number, v_unit, NULL::bigint, NULL::text, NULL::bigint,
      NULL::text, NULL::boolean, NULL::timestamptz, NULL::integer; RETURN;
  END IF;
  -- tickets transferred to this window first, then the queues in turn by weight
  SELECT * INTO v_ticket FROM queueing_ticket
   WHERE state = 'waiting' AND target_window_id = p_window AND day = p_day
   ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    SELECT array_agg(x.queue_id ORDER BY x.o, x.rid, x.k) INTO v_cycle FROM (
      SELECT r.queue_id, r."order" AS o, r.id AS rid, generate_series(1, r.weight) AS k
        FROM queueing_callrule r JOIN queueing_queue q ON q.id = r.queue_id AND q.active
       WHERE r.window_id = p_window) x;
    v_n := COALESCE(array_length(v_cycle, 1), 0);
    FOR v_i IN 0 .. v_n - 1 LOOP
      SELECT * INTO v_ticket FROM queueing_ticket
       WHERE state = 'waiting' AND queue_id = v_cycle[((v_cursor + v_i) % v_n) + 1]
         AND target_window_id IS NULL AND day = p_day
       ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
      IF FOUND THEN
        IF v_state_id IS NULL THEN  -- the window's first call ever
          INSERT INTO queueing_windowstate (window_id, "cursor")
            VALUES (p_window, (v_cursor + v_i + 1) % v_n);
        ELSIF (v_cursor + v_i + 1) % v_n <> v_cursor THEN
          UPDATE queueing_windowstate SET "cursor" = (v_cursor + v_i + 1) % v_n
           WHERE id = v_state_id;
        END IF;
        EXIT;
      END IF;
    END LOOP;
  END IF;
  IF v_ticket.id IS NULL THEN
    IF v_finished > 0 THEN
      INSERT INTO queueing_boardevent (unit_id, at, kind, data) VALUES (v_unit, p_now, 'window',
        jsonb_build_object('window', v_number, 'window_id', p_window, 'state', 'open',
                           'finished', v_done));
    END IF;
    RETURN QUERY SELECT 'empty', v_number, v_unit, NULL::bigint, NULL::text, NULL::bigint,
      NULL::text, NULL::boolean, NULL::timestamptz, NULL::integer; RETURN;
  END IF;
  UPDATE queueing_ticket SET state = 'called', window_id = p_window, staff_id = p_staff,
         called_at = p_now, calls = calls + 1, target_window_id = NULL
   WHERE id = v_ticket.id;
  -- R-Q-2: the call, for every board of the unit; it also says the window now serves
  INSERT INTO queueing_boardevent (unit_id, at, kind, data) VALUES
    (v_unit, p_now, 'call', jsonb_build_object('ticket', v_ticket.label, 'window', v_number,
       'window_id', p_window, 'green', v_ticket.green_channel, 'state', 'serving')
       || CASE WHEN v_done IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('finished', v_done) END);
  RETURN QUERY SELECT 'called', v_number, v_unit, v_ticket.id, v_ticket.label::text,
    v_ticket.queue_id, (SELECT q.letter::text FROM queueing_queue q WHERE q.id = v_ticket.queue_id),
    v_ticket.green_channel, v_ticket.arrived_at, v_ticket.calls + 1;
END;
$$;
"""


LOCK_SPACE = 7301  # services.WINDOW_LOCK_SPACE


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CALL_NEXT.replace("%(lock_space)s", str(LOCK_SPACE)), params=None)


class Migration(migrations.Migration):
    dependencies = [("queueing", "0007_presence_norms")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
