-- 003_schedules down: drop the repricing schedule and contract tables.
DROP TABLE IF EXISTS contract_sets;
DROP TABLE IF EXISTS fee_schedule_rows;
DROP TABLE IF EXISTS fee_schedules;
