"""Calling by precedence (decision 0026): the window's counter of calls before a green ticket
has precedence again, two small partial indexes, and the call function (decisions 0009, 0026)
replaced by one that calls, in this order: tickets transferred to the window; a green-channel
ticket from any queue the window calls (R-CASE-4, in at least one of every GREEN_EVERY calls);
a checked-in appointment whose slot has come (R-Q-1); the queues in turn by weight; and, when
nothing else waits, a green ticket whatever the count. services.call_next keeps the same rule
in Python for SQLite; the same tests run on both. The settings are passed in, so the function
reads nothing more than before."""

import importlib

from django.db import migrations, models

CALL_NEXT = r"""
CREATE OR REPLACE FUNCTION queueing_call_next(
  p_window bigint, p_staff bigint, p_day date, p_now timestamptz, p_finish boolean,
  p_green_every integer, p_early interval, p_late interval
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
  v_next_cursor integer;
  v_before_row integer;  -- calls before a green ticket has precedence again, as stored
  v_before integer;
  v_next_before integer;
  v_unit bigint;
  v_number integer;
  v_session_staff bigint;
  v_paused boolean;
  v_finished integer := 0;
  v_done jsonb;  -- the visit this call finished, for the rating device (R-FB-1)
  v_queues bigint[];  -- every open queue the window calls
  v_cycle bigint[];  -- the round: each queue repeated by its weight
  v_steps text[];
  v_step text;
  v_green_queue bigint;  -- the queue whose oldest green ticket comes first
  v_booked_queue bigint;  -- the queue whose earliest due appointment comes first
  v_n integer;
  v_i integer;
  v_ticket queueing_ticket%ROWTYPE;
BEGIN
  -- R-Q-1: one window calls one ticket at a time (a double click waits here). An advisory
  -- lock, which writes nothing; services._lock_window takes the same one.
  PERFORM pg_advisory_xact_lock(%(lock_space)s, p_window::integer);
  -- R-Q-3: only the staff member signed in at the window calls, and not while paused
  SELECT w.unit_id, w.number, ws.id, COALESCE(ws."cursor", 0), COALESCE(ws.calls_before_green, 0),
         s.staff_id, EXISTS (
      SELECT 1 FROM queueing_windowpause p WHERE p.session_id = s.id AND p.ended_at IS NULL)
    INTO v_unit, v_number, v_state_id, v_cursor, v_before_row, v_session_staff, v_paused
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
  v_next_cursor := v_cursor;
  v_before := LEAST(v_before_row, GREATEST(p_green_every - 1, 0));
  -- 1. tickets transferred to this window first: only it may call them
  SELECT * INTO v_ticket FROM queueing_ticket
   WHERE state = 'waiting' AND target_window_id = p_window AND day = p_day
   ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    -- In one statement: the window's queues; its round, without the green queues while
    -- green tickets have precedence (their tickets are all green: precedence calls them);
    -- and the queue whose oldest green ticket, and the one whose earliest due appointment,
    -- comes first (no lock: one index probe a queue on the small partial indexes).
    WITH r AS (
      SELECT r.queue_id, r."order" AS o, r.id AS rid, r.weight, q.green_channel AS green
        FROM queueing_callrule r JOIN queueing_queue q ON q.id = r.queue_id AND q.active
       WHERE r.window_id = p_window AND r.weight > 0)
    SELECT (SELECT array_agg(x.queue_id ORDER BY x.o, x.rid, x.k) FROM (
              SELECT r.queue_id, r.o, r.rid, generate_series(1, r.weight) AS k FROM r
               WHERE p_green_every = 0 OR NOT r.green) x),
           (SELECT array_agg(DISTINCT r.queue_id) FROM r),
           (SELECT r.queue_id FROM r CROSS JOIN LATERAL (
              SELECT t.arrived_at AS first_at, t.id FROM queueing_ticket t
               WHERE t.queue_id = r.queue_id AND t.state = 'waiting' AND t.green_channel
                 AND t.day = p_day AND t.target_window_id IS NULL
               ORDER BY t.arrived_at, t.id LIMIT 1) h
             WHERE p_green_every > 0 ORDER BY h.first_at, h.id LIMIT 1),
           (SELECT r.queue_id FROM r CROSS JOIN LATERAL (
              SELECT t.scheduled_at AS slot, t.arrived_at AS first_at, t.id
                FROM queueing_ticket t
               WHERE t.queue_id = r.queue_id AND t.state = 'waiting'
                 AND t.source = 'appointment' AND t.day = p_day AND t.target_window_id IS NULL
                 AND t.scheduled_at <= p_now + p_early AND t.arrived_at <= t.scheduled_at + p_late
               ORDER BY t.scheduled_at, t.arrived_at, t.id LIMIT 1) h
             ORDER BY h.slot, h.first_at, h.id LIMIT 1)
      INTO v_cycle, v_queues, v_green_queue, v_booked_queue;
    v_n := COALESCE(array_length(v_cycle, 1), 0);
    v_steps := CASE WHEN p_green_every > 0 AND v_before = 0 THEN ARRAY['green', 'booked', 'round']
                    WHEN p_green_every > 0 THEN ARRAY['booked', 'round', 'green']
                    ELSE ARRAY['booked', 'round'] END;
    FOREACH v_step IN ARRAY v_steps LOOP
      IF v_step = 'green' THEN
        -- 2. R-CASE-4: the oldest green-channel ticket in any queue the window calls: that
        -- queue's oldest not being called elsewhere; if another window is calling every
        -- one of them, the oldest of all the queues' that is free.
        IF v_green_queue IS NOT NULL THEN
          SELECT * INTO v_ticket FROM queueing_ticket
           WHERE queue_id = v_green_queue AND state = 'waiting' AND green_channel
             AND day = p_day AND target_window_id IS NULL
           ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          IF NOT FOUND AND array_length(v_queues, 1) > 1 THEN
            SELECT * INTO v_ticket FROM queueing_ticket
             WHERE queue_id = ANY (v_queues) AND state = 'waiting' AND green_channel
               AND day = p_day AND target_window_id IS NULL
             ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          END IF;
        END IF;
      ELSIF v_step = 'booked' THEN
        -- 3. R-Q-1: a checked-in appointment whose slot has come (from p_early before it),
        -- if it checked in by p_late after it; the earliest slot first, as for green
        IF v_booked_queue IS NOT NULL THEN
          SELECT * INTO v_ticket FROM queueing_ticket
           WHERE queue_id = v_booked_queue AND state = 'waiting' AND source = 'appointment'
             AND day = p_day AND target_window_id IS NULL
             AND scheduled_at <= p_now + p_early AND arrived_at <= scheduled_at + p_late
           ORDER BY scheduled_at, arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          IF NOT FOUND AND array_length(v_queues, 1) > 1 THEN
            SELECT * INTO v_ticket FROM queueing_ticket
             WHERE queue_id = ANY (v_queues) AND state = 'waiting' AND source = 'appointment'
               AND day = p_day AND target_window_id IS NULL
               AND scheduled_at <= p_now + p_early AND arrived_at <= scheduled_at + p_late
             ORDER BY scheduled_at, arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          END IF;
        END IF;
      ELSE
        -- 4. the queues in turn by weight, from where the window's round stands
        FOR v_i IN 0 .. v_n - 1 LOOP
          SELECT * INTO v_ticket FROM queueing_ticket
           WHERE state = 'waiting' AND queue_id = v_cycle[((v_cursor + v_i) % v_n) + 1]
             AND target_window_id IS NULL AND day = p_day
             AND (p_green_every = 0 OR NOT green_channel)
           ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          IF FOUND THEN
            v_next_cursor := (v_cursor + v_i + 1) % v_n;
            EXIT;
          END IF;
        END LOOP;
      END IF;
      EXIT WHEN v_ticket.id IS NOT NULL;
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
  -- every call counts toward the next green precedence; a green one starts the count again
  v_next_before := CASE WHEN p_green_every <= 1 THEN 0
                        WHEN v_ticket.green_channel THEN p_green_every - 1
                        ELSE GREATEST(v_before - 1, 0) END;
  IF v_state_id IS NULL THEN
    IF v_next_cursor <> 0 OR v_next_before <> 0 THEN  -- the window's first such call ever
      INSERT INTO queueing_windowstate (window_id, "cursor", calls_before_green)
        VALUES (p_window, v_next_cursor, v_next_before);
    END IF;
  ELSIF v_next_cursor <> v_cursor OR v_next_before <> v_before_row THEN
    UPDATE queueing_windowstate SET "cursor" = v_next_cursor, calls_before_green = v_next_before
     WHERE id = v_state_id;
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

OLD_SIGNATURE = "queueing_call_next(bigint, bigint, date, timestamptz, boolean)"
NEW_SIGNATURE = (
    "queueing_call_next(bigint, bigint, date, timestamptz, boolean, integer, interval, interval)"
)
LOCK_SPACE = 7301  # services.WINDOW_LOCK_SPACE


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}", params=None)
        schema_editor.execute(CALL_NEXT.replace("%(lock_space)s", str(LOCK_SPACE)), params=None)


def restore(apps, schema_editor):
    """Back to migration 0008's function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NEW_SIGNATURE}", params=None)
        previous = importlib.import_module(
            "servicehall.queueing.migrations.0008_call_names_the_finished_visit"
        )
        previous.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_help_text_without_requirement_ids"),
        ("org", "0005_import_jobs"),
        ("queueing", "0011_contact_task_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="windowstate",
            name="calls_before_green",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("green_channel", True), ("state", "waiting")),
                fields=["queue", "day", "arrived_at"],
                name="ticket_green_waiting",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("source", "appointment"), ("state", "waiting")),
                fields=["queue", "day", "scheduled_at"],
                name="ticket_booked_waiting",
            ),
        ),
        migrations.RunPython(create, restore),
    ]
