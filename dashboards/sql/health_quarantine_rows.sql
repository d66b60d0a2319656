-- The rejected rows of one source table ('all' for every table), newest load first, at most
-- `limit` rows. Parameters: table, table, limit (null: every row).
select
    source_table,
    source_file,
    source_row,
    field,
    value as rejected_value,
    reason,
    record as rejected_record,
    _loaded_at as loaded_at,
    _batch_id as run_id
from raw.quarantine
where ? = 'all' or source_table = ?
order by _loaded_at desc, source_file asc, source_row asc
limit ?
