-- The sweep anchor one working day later (run by bench/same_sitting.sh on the anchor's database,
-- right after ../shared/peers/sweep_anchor.sql): the same single statement with "today" moved from
-- Friday 2026-11-27 to Monday 2026-11-30, so clocks age a working day and alerts are raised and
-- escalated as in the platform's periodic sweep (supervision.sweep_s.1m). The anchor file itself
-- has no such run: its repeated statement is on the same day and changes nothing.
\timing on
with today as (select idx from workday where d = '2026-11-30'),
lv as (
  select c.id, case
    when t.idx > c.statutory_due_idx + 1 then 'red'
    when t.idx > c.promised_due_idx + 1 then 'yellow'
    when c.promised_due_idx - t.idx <= 2 then 'warning' end as level
  from cases c, today t where c.state='open' and not c.paused)
insert into alert(case_id, kind, level)
  select id, 'deadline', level from lv where level is not null
on conflict (case_id, kind) do update set level = excluded.level where alert.level is distinct from excluded.level;
select level, count(*) from alert group by level;
